// Rule 1, not flagged: names that merely contain a parameter's name, and method names.
#![deny(warnings)]

fn user_id(token: &Token) -> Option<String> {
    token.sub.clone()
}

auth_runtime::auth! {
    callbacks: {
        jwt(token, user) {
            let user_name = token.name.clone();
            let users = vec![user_id(&token), user_name];
            token.jti = users.into_iter().flatten().next();
            if let Some(user) = user {
                token.sub = Some(user.id);
            }
            token
        },
    },
}

fn main() {
    let _ = config();
}
