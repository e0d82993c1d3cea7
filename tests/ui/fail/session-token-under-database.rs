auth_runtime::auth! {
    session: { strategy: database },
    callbacks: {
        session(session, token) { session },
    },
}

fn main() {}
