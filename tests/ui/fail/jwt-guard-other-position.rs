// A `Some(..)` guards only its own position of a tuple: `x` and `t` bind the `Option`s.
auth_runtime::auth! {
    callbacks: {
        jwt(token, user, account) {
            match (&user, &account) {
                (x, Some(_)) => token.name = x.as_ref().and_then(|u| u.name.clone()),
                _ => {}
            }
            match (user, account) {
                (Some(_), _) => {}
                t => drop(t),
            }
            token
        },
    },
}

fn main() {}
