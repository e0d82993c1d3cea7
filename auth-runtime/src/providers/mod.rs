//! Provider constructors with Auth.js's defaults.
//!
//! The constructors are data and always available; the client that runs an OAuth provider
//! ([`oauth`](mod@oauth), [`refresh`]) needs the `oauth` feature (on by default), and without it
//! [`crate::Auth::new`] refuses an OAuth provider ([`crate::ConfigError::OAuthDisabled`]).
//!
//! Every preset takes its provider's production endpoints; set
//! [`issuer`](OAuthProvider::issuer) (the OIDC presets) or the endpoint URLs
//! ([`authorization_url`](OAuthProvider::authorization_url),
//! [`token_url`](OAuthProvider::token_url), [`userinfo_url`](OAuthProvider::userinfo_url);
//! the OAuth 2.0 presets) on the returned value to point it elsewhere: a self-hosted GitLab,
//! a test server on loopback. Every preset sends `state`, PKCE (S256) and, the OIDC ones, a
//! `nonce`, where the provider takes them: Twitter, Okta and the others get `state` though
//! Auth.js leaves it out; Apple and Slack refuse PKCE from a confidential client (state and
//! nonce), LinkedIn takes neither PKCE nor a nonce (state only).

#[cfg(feature = "oauth")]
pub mod oauth;
#[cfg(feature = "oauth")]
pub mod refresh;

mod presets;

pub use presets::{
    apple, apple_profile, apple_with_key, auth0, discord, discord_profile, facebook,
    facebook_profile, gitlab, gitlab_profile, keycloak, linkedin, microsoft_entra_id, okta, slack,
    standard_profile, twitch, twitter, twitter_profile,
};

use std::sync::Arc;

use crate::config::{
    AccountType, AuthorizeFn, ClientAuth, ConfigValue, CredentialField, CredentialsProvider,
    DEFAULT_EMAIL_FROM, DEFAULT_EMAIL_MAX_AGE, EmailProvider, OAuthProvider, PasskeyProvider,
    Profile,
};

/// A passkey provider with Auth.js's id and name (`"passkey"`, `"Passkey"`); the relying
/// party's id and name come from the site URL.
pub fn passkey() -> PasskeyProvider {
    PasskeyProvider {
        id: "passkey".to_owned(),
        name: "Passkey".to_owned(),
        rp_name: None,
        rp_id: None,
    }
}

/// An e-mail sign-in provider with Auth.js's defaults (id `email`, name `Email`, `from`
/// [`DEFAULT_EMAIL_FROM`], links valid 24 hours) sending through the SMTP `server`.
pub fn email(server: ConfigValue) -> EmailProvider {
    EmailProvider {
        id: "email".to_owned(),
        name: "Email".to_owned(),
        server,
        from: DEFAULT_EMAIL_FROM.to_owned(),
        max_age: DEFAULT_EMAIL_MAX_AGE,
        send_verification_request: None,
    }
}

/// A credentials provider with Auth.js's default id, name and username/password form.
pub fn credentials(authorize: AuthorizeFn) -> CredentialsProvider {
    CredentialsProvider {
        id: "credentials".to_owned(),
        name: "Credentials".to_owned(),
        fields: vec![
            CredentialField::new("username", "Username", "text"),
            CredentialField::new("password", "Password", "password"),
        ],
        authorize,
    }
}

fn str_field(raw: &serde_json::Value, key: &str) -> Option<String> {
    raw.get(key).and_then(|v| v.as_str()).map(str::to_owned)
}

/// The profile mapping for OIDC providers: `{id: sub, name, email, image: picture}`.
pub fn oidc_profile(raw: &serde_json::Value) -> Option<Profile> {
    Some(Profile {
        id: str_field(raw, "sub")?,
        name: str_field(raw, "name"),
        email: str_field(raw, "email"),
        image: str_field(raw, "picture"),
        email_verified: raw.get("email_verified").and_then(|v| v.as_bool()),
        raw: raw.clone(),
        extra: serde_json::Map::new(),
    })
}

/// GitHub's profile mapping: `{id: id as string, name: name or login, email, image: avatar_url}`.
pub fn github_profile(raw: &serde_json::Value) -> Option<Profile> {
    let id = match raw.get("id")? {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        _ => return None,
    };
    Some(Profile {
        id,
        name: str_field(raw, "name").or_else(|| str_field(raw, "login")),
        email: str_field(raw, "email"),
        image: str_field(raw, "avatar_url"),
        email_verified: None,
        raw: raw.clone(),
        extra: serde_json::Map::new(),
    })
}

/// A generic OAuth 2.0 provider; set the endpoints on the returned value.
pub fn oauth(id: &str, client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        id: id.to_owned(),
        name: id.to_owned(),
        kind: AccountType::Oauth,
        issuer: None,
        authorization_url: None,
        token_url: None,
        userinfo_url: None,
        client_id,
        client_secret,
        scope: String::new(),
        client_auth: ClientAuth::ClientSecretBasic,
        profile: Arc::new(oidc_profile),
        allow_dangerous_email_account_linking: false,
        github_emails_url: None,
        pkce: true,
        nonce: true,
        authorization_params: Vec::new(),
        form_post: false,
        tenant_id: None,
        allowed_tenants: Vec::new(),
        client_secret_jwt: None,
    }
}

/// A generic OpenID Connect provider configured by its issuer (endpoints by discovery).
pub fn oidc(
    id: &str,
    issuer: ConfigValue,
    client_id: ConfigValue,
    client_secret: ConfigValue,
) -> OAuthProvider {
    OAuthProvider {
        kind: AccountType::Oidc,
        issuer: Some(issuer),
        scope: "openid profile email".to_owned(),
        ..oauth(id, client_id, client_secret)
    }
}

/// GitHub, with Auth.js's endpoints, scope and profile mapping.
pub fn github(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        name: "GitHub".to_owned(),
        authorization_url: Some("https://github.com/login/oauth/authorize".into()),
        token_url: Some("https://github.com/login/oauth/access_token".into()),
        userinfo_url: Some("https://api.github.com/user".into()),
        github_emails_url: Some("https://api.github.com/user/emails".into()),
        scope: "read:user user:email".to_owned(),
        profile: Arc::new(github_profile),
        ..oauth("github", client_id, client_secret)
    }
}

/// Google, an OIDC provider at `https://accounts.google.com`.
pub fn google(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        name: "Google".to_owned(),
        ..oidc(
            "google",
            "https://accounts.google.com".into(),
            client_id,
            client_secret,
        )
    }
}
