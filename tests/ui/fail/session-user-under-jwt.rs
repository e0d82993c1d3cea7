auth_runtime::auth! {
    session_user: { id: String },
    callbacks: {
        session(session, user) {
            session.user.id = user.id;
            session
        },
    },
}

fn main() {}
