// The `else` of a guard (and of `let .. else`) is exactly where `user` is `None`.
auth_runtime::auth! {
    callbacks: {
        jwt(token, user, account) {
            if let Some(u) = user {
                token.sub = Some(u.id);
            } else {
                token.name = user.and_then(|u| u.name);
            }
            let Some(a) = account else {
                println!("{:?}", account);
                return token;
            };
            token.email = Some(a.provider);
            token
        },
    },
}

fn main() {}
