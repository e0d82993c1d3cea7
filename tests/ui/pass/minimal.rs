// An empty invocation: only the standard fields, Auth.js defaults everywhere,
// and documented items (`missing_docs` is denied).
#![deny(warnings, missing_docs)]
//! Minimal.

auth_runtime::auth! {}

fn main() {
    let token = Token {
        sub: Some("1".to_owned()),
        name: None,
        email: None,
        picture: None,
        iat: Some(1),
        exp: Some(2),
        jti: None,
    };
    let user = SessionUser {
        name: None,
        email: None,
        image: None,
    };
    let session: Session = auth_runtime::Session {
        user,
        expires: String::new(),
    };
    assert_eq!(token.sub.as_deref(), Some("1"));
    assert_eq!(session.user, SessionUser::default());
    let config = config();
    assert_eq!(config.strategy(), auth_runtime::SessionStrategy::Jwt);
    assert!(config.providers().is_empty());
    assert_eq!(config.max_age(), 30 * 24 * 60 * 60);
    assert_eq!(config.base_path(), "/api/auth");
}
