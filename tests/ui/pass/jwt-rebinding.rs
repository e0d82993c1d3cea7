// Rule 1, not flagged: the name rebound by `let`, a closure parameter, a match arm,
// a `for` pattern or a nested function's parameter is no longer the `Option`.
#![deny(warnings)]

auth_runtime::auth! {
    callbacks: {
        jwt(token, user, account) {
            if let Some(u) = &user {
                token.sub = Some(u.id.clone());
            }
            fn shout(user: &str) -> String {
                user.to_uppercase()
            }
            let pick = |user: Option<String>| user.map(|u| shout(&u));
            token.name = pick(token.name.clone());
            for account in ["a", "b"] {
                token.jti = Some(account.to_owned());
            }
            match token.sub.clone() {
                Some(account) => token.email = Some(account),
                None => {}
            }
            // `account` is read through a guard once, then rebound for the rest of the body.
            if let Some(a) = &account {
                token.email = Some(a.provider.clone());
            }
            let account = token.email.is_some();
            if account {
                token.picture = None;
            }
            let user = format!("{} {user}", token.sub.clone().unwrap_or_default(), user = "x");
            token.sub = Some(user);
            token
        },
    },
}

fn main() {
    let _ = config();
}
