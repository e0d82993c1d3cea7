// `user` is `None` after sign-in: reading it without a guard is rejected.
auth_runtime::auth! {
    token: { id: String },
    callbacks: {
        jwt(token, user, account) {
            token.id = user.unwrap().id;
            if account.is_some() {
                token.name = Some("linked".to_owned());
            }
            token
        },
    },
}

fn main() {}
