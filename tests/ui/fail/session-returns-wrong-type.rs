auth_runtime::auth! {
    session_user: { id: String },
    callbacks: {
        session(session, token) {
            session.user.id = token.sub.clone().unwrap_or_default();
            session.user
        },
    },
}

fn main() {}
