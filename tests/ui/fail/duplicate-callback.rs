auth_runtime::auth! {
    callbacks: {
        jwt(token) { token },
        session(session) { session },
        jwt(token) { token },
    },
}

fn main() {}
