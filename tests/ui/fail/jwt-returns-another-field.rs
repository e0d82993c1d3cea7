auth_runtime::auth! {
    token: { role: String },
    callbacks: {
        jwt(token) { token.role },
    },
}

fn main() {}
