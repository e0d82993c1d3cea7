auth_runtime::auth! {
    token: { id: String },
    callbacks: {
        jwt(token, user) {
            if let Some(user) = user {
                return user.id;
            }
            token.id.clone()
        },
    },
}

fn main() {}
