// Rule 1, accepted forms over a derived scrutinee, match arms with `if` guards, `ref`,
// struct and or-patterns, tuple positions skipped by `..` and tracing fields named `user`.
#![deny(warnings)]

use auth_runtime::config::User;

auth_runtime::auth! {
    token: { id: String, provider: Option<String> },
    callbacks: {
        jwt(token, user, account, profile) {
            if let Some(u) = user.clone() {
                token.id = u.id;
            }
            if let Some(name) = user.as_ref().and_then(|u| u.name.clone()) {
                token.name = Some(name);
            }
            match user.as_ref() {
                Some(u) if u.id.is_empty() => {}
                Some(User { email: Some(email), .. }) => token.email = Some(email.clone()),
                Some(ref u) => token.sub = Some(u.id.clone()),
                None => {}
            }
            match &account {
                Some(_) | None if token.id.is_empty() => {}
                _ => {}
            }
            if let (Some(p), ..) = (profile.as_ref(), &account) {
                token.picture = p.image.clone();
            }
            if let (.., Some(a)) = (&user, account.as_ref()) {
                token.provider = Some(a.provider.clone());
            }
            tracing::info!(user = %token.id, "signed in");
            let Some(User { id, .. }) = user.clone() else {
                return token;
            };
            token.id = id;
            token
        },
    },
}

fn main() {
    let _ = config();
}
