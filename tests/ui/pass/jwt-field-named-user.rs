// Rule 1, not flagged: a token field named like a parameter is not the parameter.
#![deny(warnings)]

auth_runtime::auth! {
    token: { user: Option<String>, account: Option<String> },
    callbacks: {
        jwt(token, user) {
            if let Some(u) = user {
                token.user = Some(u.id);
            }
            token.account = token.user.clone();
            token
        },
    },
}

fn main() {
    let token = Token {
        user: Some("1".to_owned()),
        ..Default::default()
    };
    assert_eq!(token.user.as_deref(), Some("1"));
    let _ = config();
}
