auth_runtime::auth! {
    callbacks: {
        session(session) { session.user },
    },
}

fn main() {}
