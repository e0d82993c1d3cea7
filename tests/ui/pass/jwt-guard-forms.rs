// Rule 1, accepted forms: every guard the checker recognises, with and without shadowing.
#![deny(warnings)]

auth_runtime::auth! {
    token: { id: String, provider: Option<String>, update: Option<String> },
    callbacks: {
        jwt(token, user, account, profile, session) {
            // `if let`, shadowing the parameter
            if let Some(user) = user.as_ref() {
                token.id = user.id.clone();
            }
            // `&user`, another name
            if let Some(u) = &user {
                token.name = u.name.clone();
            }
            // `match`, with `None` arm
            match account.as_ref() {
                Some(account) => token.provider = Some(account.provider.clone()),
                None => {}
            }
            // a tuple scrutinee
            match (&user, &profile) {
                (Some(u), Some(p)) => token.picture = u.image.clone().or_else(|| p.image.clone()),
                _ => {}
            }
            // a let chain
            if let Some(p) = &profile && let Some(email) = &p.email {
                token.email = Some(email.clone());
            }
            // `let .. else`, shadowing for the rest of the body
            let Some(session) = session else {
                return token;
            };
            token.update = session["name"].as_str().map(str::to_owned);
            token
        },
    },
}

fn main() {
    let _ = config();
}
