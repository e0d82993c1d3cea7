auth_runtime::auth! {
    token: { id: String },
    callbacks: {
        sign_in(user, token) { user.email.is_some() },
    },
}

fn main() {}
