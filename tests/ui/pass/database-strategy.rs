// The database strategy: `session(session, user)`; other return types of the callbacks.
#![deny(warnings)]

use auth_runtime::SignInDecision;

auth_runtime::auth! {
    session: { strategy: database },
    session_user: {
        /// The database id.
        id: String,
    },
    providers: [
        Oidc {
            id: "corp",
            name: "Corp SSO",
            issuer: "https://sso.example.com",
            client_id: "corp-client",
            client_secret: env("CORP_SECRET"),
            scope: "openid email",
            client_auth: client_secret_post,
        },
    ],
    callbacks: {
        sign_in(user, credentials) {
            if credentials.is_some() {
                return SignInDecision::Deny;
            }
            if user.email.is_none() { SignInDecision::Redirect("/no-email".to_owned()) } else { SignInDecision::Allow }
        }
        jwt(token, trigger) {
            if trigger.is_none() { Some(token) } else { None }
        }
        session(session, user) {
            session.user.id = user.id;
            session
        }
        redirect(url) {
            // `return` anywhere, including as the tail, is converted like the tail.
            if url.starts_with('/') {
                return "/";
            }
            return "/home"
        }
    },
}

fn main() {
    let config = config();
    assert_eq!(config.strategy(), auth_runtime::SessionStrategy::Database);
    assert_eq!(config.providers()[0].name(), "Corp SSO");
    assert_eq!(config.providers()[0].kind(), "oidc");
    let user = SessionUser {
        id: "u1".to_owned(),
        ..Default::default()
    };
    assert_eq!(user.id, "u1");
}
