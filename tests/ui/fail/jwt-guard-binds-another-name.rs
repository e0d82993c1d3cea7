// Inside a guard that binds `u`, `user` is still the `Option`; and a pattern
// without `Some(..)` is not a guard.
auth_runtime::auth! {
    callbacks: {
        jwt(token, user, profile) {
            if let Some(u) = &user {
                token.sub = user.clone().map(|x| x.id);
                let _ = u;
            }
            if let p = profile {
                let _ = p;
            }
            token
        },
    },
}

fn main() {}
