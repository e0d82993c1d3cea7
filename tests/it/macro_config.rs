//! What the code `auth!` generates does at run time: the providers it configures, the
//! callbacks it boxes (called here with real arguments, through the public
//! `AuthConfig::*_callback` accessors) and the serde shape of `Token` and `SessionUser`.

#![allow(clippy::expect_used, reason = "a test fails loudly on a missing value")]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use auth_runtime::config::{
    ClientAuth, JwtArgs, JwtSessionArgs, RedirectArgs, SessionCallback, SignInArgs,
};
use auth_runtime::{Account, ConfigValue, Credentials, Provider, SignInDecision, Trigger, User};

mod auth {
    use auth_runtime::{Credentials, Profile, Trigger, User};

    async fn check(credentials: Credentials) -> Option<User> {
        (credentials.get("username") == Some("ada")
            && credentials.get("password") == Some("lovelace"))
        .then(|| User::new("u-1").with_email("ada@example.com"))
    }

    fn acme_profile(raw: &serde_json::Value) -> Option<Profile> {
        Some(Profile {
            id: raw.get("uid")?.as_str()?.to_owned(),
            raw: raw.clone(),
            ..Profile::default()
        })
    }

    auth_runtime::auth! {
        session: { max_age: 3600, update_age: 60 },
        token: { id: String, role: Option<String> },
        session_user: { id: String, role: Option<String> },
        providers: [
            Credentials { id: "password", name: "Password", authorize: |credentials| async move { check(credentials).await } },
            GitHub {
                client_id: env("GITHUB_ID"),
                client_secret: "literal-secret",
                scope: "read:user",
                allow_dangerous_email_account_linking: true,
            },
            OAuth {
                id: "acme",
                name: "Acme",
                authorization_url: "https://acme.example.com/authorize",
                token_url: "https://acme.example.com/token",
                userinfo_url: env("ACME_USERINFO"),
                client_id: "acme-id",
                client_secret: env("ACME_SECRET"),
                profile: acme_profile,
                client_auth: "client_secret_post",
            },
        ],
        callbacks: {
            sign_in(user) { user.email.as_deref().is_some_and(|e| e.ends_with("@example.com")) },
            async jwt(token, user, trigger) {
                if trigger == Some(Trigger::Update) {
                    return None;
                }
                if let Some(user) = user {
                    token.id = user.id.clone();
                    token.role = Some("admin".to_owned());
                }
                Some(token)
            },
            session(session, token) {
                session.user.id = token.id.clone();
                session.user.role = token.role.clone();
                session
            },
            redirect(url, base_url) { if url.starts_with(&base_url) { url } else { base_url } },
        },
        pages: { sign_in: "/login", error: String::from("/oops") },
        base_path: "/auth",
        trust_host: false,
        trust_proxy: true,
    }
}

/// Runs a future that never waits on I/O (every callback here completes on first poll).
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("callback future was not ready"),
    }
}

fn jwt_args(token: auth::Token) -> JwtArgs<auth::Token> {
    JwtArgs {
        token,
        user: None,
        account: None,
        profile: None,
        trigger: None,
        is_new_user: false,
        session: None,
    }
}

#[test]
fn settings_and_pages() {
    let config = auth::config();
    assert_eq!(config.max_age(), 3600);
    assert_eq!(config.base_path(), "/auth");
    assert_eq!(config.pages().sign_in.as_deref(), Some("/login"));
    assert_eq!(config.pages().error.as_deref(), Some("/oops"));
    assert_eq!(config.pages().sign_out, None);
    assert!(config.trust_proxy());
    assert!(!auth_runtime::AuthConfig::<auth::Token, auth::SessionUser>::default().trust_proxy());
}

#[test]
fn providers_carry_every_option() {
    let config = auth::config();
    let providers = config.providers();
    let ids: Vec<_> = providers
        .iter()
        .map(|p| (p.id(), p.name(), p.kind()))
        .collect();
    assert_eq!(
        ids,
        [
            ("password", "Password", "credentials"),
            ("github", "GitHub", "oauth"),
            ("acme", "Acme", "oauth")
        ]
    );
    let Provider::OAuth(github) = &providers[1] else {
        panic!("github is oauth")
    };
    assert_eq!(github.client_id, ConfigValue::Env("GITHUB_ID"));
    assert_eq!(
        github.client_secret,
        ConfigValue::Literal("literal-secret".to_owned())
    );
    assert_eq!(github.scope, "read:user");
    assert!(github.allow_dangerous_email_account_linking);
    assert_eq!(github.client_auth, ClientAuth::ClientSecretBasic);

    let Provider::OAuth(acme) = &providers[2] else {
        panic!("acme is oauth")
    };
    assert_eq!(
        acme.authorization_url,
        Some(ConfigValue::Literal(
            "https://acme.example.com/authorize".to_owned()
        ))
    );
    assert_eq!(acme.userinfo_url, Some(ConfigValue::Env("ACME_USERINFO")));
    assert_eq!(acme.client_auth, ClientAuth::ClientSecretPost);
    assert!(!acme.allow_dangerous_email_account_linking);
    let profile = (acme.profile)(&serde_json::json!({"uid": "42"})).map(|p| p.id);
    assert_eq!(profile.as_deref(), Some("42"));
    assert_eq!((acme.profile)(&serde_json::json!({})), None);
}

#[test]
fn credentials_authorize_runs_the_closure() {
    let config = auth::config();
    let Provider::Credentials(credentials) = &config.providers()[0] else {
        panic!("credentials first")
    };
    let good = Credentials::new([("username", "ada"), ("password", "lovelace")]);
    let bad = Credentials::new([("username", "ada"), ("password", "wrong")]);
    assert_eq!(
        ready((credentials.authorize)(good)).map(|u| u.id),
        Ok("u-1".to_owned())
    );
    assert_eq!(
        ready((credentials.authorize)(bad)).map_err(|e| e.code().to_owned()),
        Err("credentials".to_owned())
    );
}

#[test]
fn sign_in_converts_bool() {
    let config = auth::config();
    let sign_in = config.sign_in_callback().expect("sign_in set");
    let args = |email: &str| SignInArgs {
        user: User::new("1").with_email(email),
        account: Account::default(),
        profile: None,
        credentials: None,
        request: auth_runtime::RequestInfo::default(),
        amr: Vec::new(),
    };
    assert_eq!(
        ready(sign_in(args("ada@example.com"))),
        SignInDecision::Allow
    );
    assert_eq!(ready(sign_in(args("eve@evil.test"))), SignInDecision::Deny);
}

#[test]
fn jwt_copies_user_on_sign_in_only_and_ends_on_update() {
    let config = auth::config();
    let jwt = config.jwt_callback().expect("jwt set");
    let signed_in = JwtArgs {
        user: Some(User::new("u-7")),
        trigger: Some(Trigger::SignIn),
        ..jwt_args(auth::Token::default())
    };
    let token = ready(jwt(signed_in)).expect("token kept");
    assert_eq!(token.id, "u-7");
    assert_eq!(token.role.as_deref(), Some("admin"));

    // A later call (no user): the token passes through unchanged.
    let again = ready(jwt(jwt_args(token.clone()))).expect("token kept");
    assert_eq!(again, token);

    // `return None` ends the session.
    let update = JwtArgs {
        trigger: Some(Trigger::Update),
        ..jwt_args(token)
    };
    assert_eq!(ready(jwt(update)), None);
}

#[test]
fn session_reads_the_token_and_redirect_checks_the_origin() {
    let config = auth::config();
    let Some(SessionCallback::Jwt(session)) = config.session_callback() else {
        panic!("jwt session callback")
    };
    let token = auth::Token {
        id: "u-9".to_owned(),
        role: Some("admin".to_owned()),
        ..Default::default()
    };
    let out = ready(session(JwtSessionArgs {
        session: auth::Session::default(),
        token,
    }));
    assert_eq!(out.user.id, "u-9");
    assert_eq!(out.user.role.as_deref(), Some("admin"));

    let redirect = config.redirect_callback().expect("redirect set");
    let args = |url: &str| RedirectArgs {
        url: url.to_owned(),
        base_url: "https://app.example.com".to_owned(),
    };
    assert_eq!(
        ready(redirect(args("https://app.example.com/x"))),
        "https://app.example.com/x"
    );
    assert_eq!(
        ready(redirect(args("https://evil.test/"))),
        "https://app.example.com"
    );
}

#[test]
fn token_serde_matches_authjs_claims() {
    // A payload as @auth/core writes it, plus our declared claims.
    let json = serde_json::json!({
        "name": "Ada", "email": "ada@example.com", "picture": "https://img", "sub": "u-1",
        "iat": 1700000000, "exp": 1702592000, "jti": "0b8f", "id": "u-1", "unknown": 1
    });
    let token: auth::Token = serde_json::from_value(json).expect("decodes");
    assert_eq!(token.sub.as_deref(), Some("u-1"));
    assert_eq!(token.exp, Some(1_702_592_000));
    assert_eq!(token.id, "u-1");
    assert_eq!(token.role, None);

    // Absent standard claims are omitted, declared fields default when missing.
    let minimal = auth::Token {
        sub: Some("s".to_owned()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&minimal).expect("encodes"),
        serde_json::json!({"sub": "s", "id": "", "role": null})
    );
    let empty: auth::Token = serde_json::from_str("{}").expect("all fields default");
    assert_eq!(empty, auth::Token::default());

    let user = auth::SessionUser {
        id: "u".to_owned(),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(auth::Session {
            user,
            expires: "2030-01-01T00:00:00.000Z".to_owned()
        })
        .expect("encodes"),
        serde_json::json!({"user": {"id": "u", "role": null}, "expires": "2030-01-01T00:00:00.000Z"})
    );
}
