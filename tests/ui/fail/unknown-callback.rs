auth_runtime::auth! {
    callbacks: {
        signIn(user) { true },
        authorized(user) { true },
    },
}

fn main() {}
