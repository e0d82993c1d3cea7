auth_runtime::auth! {
    callbacks: {
        jwt(token) {
            token.name = None;
        },
    },
}

fn main() {}
