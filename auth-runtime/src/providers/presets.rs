//! The presets beyond GitHub and Google: each Auth.js's endpoints, scope and profile
//! mapping, and its quirk as data on the [`OAuthProvider`].
//!
//! | preset | kind | quirk |
//! | --- | --- | --- |
//! | [`microsoft_entra_id`] | OIDC | the tenant's issuer; `tid` verified, [`allowed_tenants`](OAuthProvider::allowed_tenants); no photo |
//! | [`apple`], [`apple_with_key`] | OIDC | `form_post`, `client_secret_post`, the secret a JWT, the name from the first callback's `user`; no PKCE |
//! | [`gitlab`] | OAuth 2.0 | `api/v4/user`, a numeric id |
//! | [`discord`] | OAuth 2.0 | the avatar URL built from the id and hash |
//! | [`keycloak`], [`okta`], [`auth0`] | OIDC | the issuer is required |
//! | [`facebook`] | OAuth 2.0 | Graph fields, `picture.data.url` |
//! | [`twitter`] | OAuth 2.0 | the profile under `data`, no e-mail |
//! | [`slack`] | OIDC | no PKCE |
//! | [`linkedin`] | OIDC | `client_secret_post`; no PKCE, no nonce (state only) |
//! | [`twitch`] | OIDC | `client_secret_post`, the `claims` request, the token's scope an array |

use std::sync::Arc;

use serde_json::Value;

use super::{oauth, oidc};
use crate::config::{
    AccountType, ClientAuth, ClientSecretJwt, ConfigValue, OAuthProvider, Profile,
};

fn str_at<'v>(raw: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(raw, |v, key| v.get(*key))
        .and_then(Value::as_str)
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

/// A string or a number, as a string (ids).
fn id_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Auth.js lowercases every provider's e-mail.
fn email_of(raw: &Value, path: &[&str]) -> Option<String> {
    str_at(raw, path).map(str::to_lowercase)
}

/// `true`/`false`, or Apple's `"true"`/`"false"`.
fn flag_of(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

fn profile(raw: &Value, id: String, name: Option<String>, email: Option<String>) -> Profile {
    Profile {
        id,
        name,
        email,
        image: None,
        email_verified: None,
        raw: raw.clone(),
        extra: serde_json::Map::new(),
    }
}

/// Auth.js's default mapping: `{id: sub ?? id, name: name ?? nickname ?? preferred_username,
/// email (lowercased), image: picture}`, and `email_verified`.
pub fn standard_profile(raw: &Value) -> Option<Profile> {
    let id = id_of(raw.get("sub")).or_else(|| id_of(raw.get("id")))?;
    let name = ["name", "nickname", "preferred_username"]
        .iter()
        .find_map(|k| owned(str_at(raw, &[k])));
    Some(Profile {
        image: owned(str_at(raw, &["picture"])),
        email_verified: flag_of(raw.get("email_verified")),
        ..profile(raw, id, name, email_of(raw, &["email"]))
    })
}

/// GitLab's `/api/v4/user`: `{id: sub ?? id, name: name ?? username, email, image: avatar_url}`.
pub fn gitlab_profile(raw: &Value) -> Option<Profile> {
    let id = id_of(raw.get("sub")).or_else(|| id_of(raw.get("id")))?;
    let name = owned(str_at(raw, &["name"]).or_else(|| str_at(raw, &["username"])));
    Some(Profile {
        image: owned(str_at(raw, &["avatar_url"])),
        ..profile(raw, id, name, email_of(raw, &["email"]))
    })
}

/// Discord's `/users/@me`: `{id, name: global_name ?? username, email, image}`, the image
/// `cdn.discordapp.com/avatars/{id}/{hash}.{gif|png}` (`gif` for a hash starting `a_`), or
/// without an avatar the default one, `embed/avatars/{n}.png` with `n = (id >> 22) % 6` (or
/// `discriminator % 5` for a legacy name with a discriminator); `email_verified` from
/// `verified`.
pub fn discord_profile(raw: &Value) -> Option<Profile> {
    let id = id_of(raw.get("id"))?;
    let name = owned(str_at(raw, &["global_name"]).or_else(|| str_at(raw, &["username"])));
    let image = match str_at(raw, &["avatar"]) {
        Some(hash) => {
            let format = if hash.starts_with("a_") { "gif" } else { "png" };
            format!("https://cdn.discordapp.com/avatars/{id}/{hash}.{format}")
        }
        None => {
            let n = match str_at(raw, &["discriminator"]) {
                Some(d) if d != "0" => d.parse::<u64>().ok().map(|d| d % 5),
                _ => id.parse::<u64>().ok().map(|id| (id >> 22) % 6),
            }
            .unwrap_or(0);
            format!("https://cdn.discordapp.com/embed/avatars/{n}.png")
        }
    };
    Some(Profile {
        image: Some(image),
        email_verified: flag_of(raw.get("verified")),
        ..profile(raw, id, name, email_of(raw, &["email"]))
    })
}

/// Facebook's Graph `/me?fields=id,name,email,picture`: the image `picture.data.url`.
pub fn facebook_profile(raw: &Value) -> Option<Profile> {
    let id = id_of(raw.get("id"))?;
    Some(Profile {
        image: owned(str_at(raw, &["picture", "data", "url"])),
        ..profile(
            raw,
            id,
            owned(str_at(raw, &["name"])),
            email_of(raw, &["email"]),
        )
    })
}

/// X's `/2/users/me`: the user under `data` (`id`, `name`, `profile_image_url`); X gives
/// no e-mail address.
pub fn twitter_profile(raw: &Value) -> Option<Profile> {
    let data = raw.get("data")?;
    let id = id_of(data.get("id"))?;
    Some(Profile {
        image: owned(str_at(data, &["profile_image_url"])),
        ..profile(
            raw,
            id,
            owned(str_at(data, &["name"])),
            email_of(data, &["email"]),
        )
    })
}

/// Apple's ID token: `{id: sub, name, email, email_verified}`. The name is in the `user`
/// form field of the first callback only (`{"name": {"firstName", "lastName"}}`, kept in
/// the raw profile as `user`; not signed by Apple, so only the name is read from it),
/// otherwise the e-mail address, as in Auth.js.
pub fn apple_profile(raw: &Value) -> Option<Profile> {
    let id = id_of(raw.get("sub"))?;
    let email = email_of(raw, &["email"]);
    let name = ["firstName", "lastName"]
        .iter()
        .filter_map(|k| str_at(raw, &["user", "name", k]))
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.is_empty() {
        email.clone()
    } else {
        Some(name)
    };
    Some(Profile {
        email_verified: flag_of(raw.get("email_verified")),
        ..profile(raw, id, name, email)
    })
}

fn oidc_preset(
    id: &str,
    name: &str,
    issuer: &str,
    cid: ConfigValue,
    secret: ConfigValue,
) -> OAuthProvider {
    OAuthProvider {
        name: name.to_owned(),
        profile: Arc::new(standard_profile),
        ..oidc(id, issuer.into(), cid, secret)
    }
}

fn oauth_preset(
    id: &str,
    name: &str,
    [authorization, token, userinfo]: [&str; 3],
    scope: &str,
    cid: ConfigValue,
    secret: ConfigValue,
) -> OAuthProvider {
    OAuthProvider {
        name: name.to_owned(),
        authorization_url: Some(authorization.into()),
        token_url: Some(token.into()),
        userinfo_url: Some(userinfo.into()),
        scope: scope.to_owned(),
        ..oauth(id, cid, secret)
    }
}

/// Microsoft Entra ID (id `microsoft-entra-id`): OIDC at
/// `https://login.microsoftonline.com/{tenant_id}/v2.0`, scope `openid profile email
/// User.Read`. `tenant_id` is a tenant's id, or `common`, `organizations` or `consumers`
/// (every tenant: their discovery names the issuer `…/{tenantid}/v2.0`, filled from the ID
/// token's `tid`; restrict it with [`allowed_tenants`](OAuthProvider::allowed_tenants)).
/// Unlike Auth.js it does not fetch the Graph photo into the session token: `image` is
/// `None` (the access token can read `/me/photo` when the application wants it).
pub fn microsoft_entra_id(
    client_id: ConfigValue,
    client_secret: ConfigValue,
    tenant_id: ConfigValue,
) -> OAuthProvider {
    OAuthProvider {
        name: "Microsoft Entra ID".to_owned(),
        kind: AccountType::Oidc,
        scope: "openid profile email User.Read".to_owned(),
        profile: Arc::new(standard_profile),
        tenant_id: Some(tenant_id),
        ..oauth("microsoft-entra-id", client_id, client_secret)
    }
}

/// Apple (id `apple`) with a client secret minted elsewhere (a JWT, at most six months
/// valid): OIDC at `https://appleid.apple.com`, scope `name email`,
/// `response_mode=form_post` (the callback is a POST), `client_secret_post`; state and
/// nonce (no PKCE).
pub fn apple(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        scope: "name email".to_owned(),
        form_post: true,
        // Apple documents no PKCE: state and nonce, as Auth.js.
        pkce: false,
        client_auth: ClientAuth::ClientSecretPost,
        profile: Arc::new(apple_profile),
        ..oidc_preset(
            "apple",
            "Apple",
            "https://appleid.apple.com",
            client_id,
            client_secret,
        )
    }
}

/// [`apple`] with its client secret minted for each token request from the team id, the
/// key id and the private key of a "Sign in with Apple" key ([`ClientSecretJwt`]).
pub fn apple_with_key(client_id: ConfigValue, key: ClientSecretJwt) -> OAuthProvider {
    OAuthProvider {
        client_secret_jwt: Some(key),
        ..apple(client_id, ConfigValue::Literal(String::new()))
    }
}

/// GitLab (id `gitlab`): OAuth 2.0 at `https://gitlab.com` (`oauth/authorize`,
/// `oauth/token`, `api/v4/user`), scope `read_user`. For a self-hosted GitLab set the three
/// URLs.
pub fn gitlab(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        profile: Arc::new(gitlab_profile),
        ..oauth_preset(
            "gitlab",
            "GitLab",
            [
                "https://gitlab.com/oauth/authorize",
                "https://gitlab.com/oauth/token",
                "https://gitlab.com/api/v4/user",
            ],
            "read_user",
            client_id,
            client_secret,
        )
    }
}

/// Discord (id `discord`): OAuth 2.0 at `https://discord.com/api`, scope `identify email`,
/// the profile by [`discord_profile`].
pub fn discord(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        profile: Arc::new(discord_profile),
        ..oauth_preset(
            "discord",
            "Discord",
            [
                "https://discord.com/api/oauth2/authorize",
                "https://discord.com/api/oauth2/token",
                "https://discord.com/api/users/@me",
            ],
            "identify email",
            client_id,
            client_secret,
        )
    }
}

/// Keycloak (id `keycloak`): OIDC; the issuer names the realm
/// (`https://sso.example.com/realms/main`).
pub fn keycloak(
    issuer: ConfigValue,
    client_id: ConfigValue,
    client_secret: ConfigValue,
) -> OAuthProvider {
    OAuthProvider {
        issuer: Some(issuer),
        ..oidc_preset("keycloak", "Keycloak", "", client_id, client_secret)
    }
}

/// Okta (id `okta`): OIDC; the issuer is the org's or an authorization server's
/// (`https://example.okta.com/oauth2/default`).
pub fn okta(
    issuer: ConfigValue,
    client_id: ConfigValue,
    client_secret: ConfigValue,
) -> OAuthProvider {
    OAuthProvider {
        issuer: Some(issuer),
        ..oidc_preset("okta", "Okta", "", client_id, client_secret)
    }
}

/// Auth0 (id `auth0`): OIDC; the issuer is the tenant's (`https://example.us.auth0.com/`,
/// with its trailing slash).
pub fn auth0(
    issuer: ConfigValue,
    client_id: ConfigValue,
    client_secret: ConfigValue,
) -> OAuthProvider {
    OAuthProvider {
        issuer: Some(issuer),
        ..oidc_preset("auth0", "Auth0", "", client_id, client_secret)
    }
}

/// Facebook (id `facebook`): OAuth 2.0, `www.facebook.com/v19.0/dialog/oauth`, scope
/// `email`, the profile from Graph's `/me?fields=id,name,email,picture`.
pub fn facebook(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        profile: Arc::new(facebook_profile),
        ..oauth_preset(
            "facebook",
            "Facebook",
            [
                "https://www.facebook.com/v19.0/dialog/oauth",
                "https://graph.facebook.com/oauth/access_token",
                "https://graph.facebook.com/me?fields=id,name,email,picture",
            ],
            "email",
            client_id,
            client_secret,
        )
    }
}

/// Twitter / X (id `twitter`): OAuth 2.0 with PKCE and `client_secret_basic`, scope
/// `users.read tweet.read offline.access`, the profile from `/2/users/me` (under `data`,
/// never an e-mail address).
pub fn twitter(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        profile: Arc::new(twitter_profile),
        ..oauth_preset(
            "twitter",
            "Twitter",
            [
                "https://x.com/i/oauth2/authorize",
                "https://api.x.com/2/oauth2/token",
                "https://api.x.com/2/users/me?user.fields=profile_image_url",
            ],
            "users.read tweet.read offline.access",
            client_id,
            client_secret,
        )
    }
}

/// Slack (id `slack`): OIDC at `https://slack.com` ("Sign in with Slack"); state and nonce,
/// no PKCE.
pub fn slack(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        // Slack's token endpoint fails a confidential client's exchange with a PKCE
        // verifier: state and nonce.
        pkce: false,
        ..oidc_preset(
            "slack",
            "Slack",
            "https://slack.com",
            client_id,
            client_secret,
        )
    }
}

/// LinkedIn (id `linkedin`): OIDC at `https://www.linkedin.com/oauth`,
/// `client_secret_post`; state only (no PKCE, no nonce).
pub fn linkedin(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    OAuthProvider {
        client_auth: ClientAuth::ClientSecretPost,
        // LinkedIn answers `invalid_client` to a web app's PKCE verifier and puts no
        // `nonce` in its ID token: state only, as Auth.js.
        pkce: false,
        nonce: false,
        ..oidc_preset(
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/oauth",
            client_id,
            client_secret,
        )
    }
}

/// Twitch (id `twitch`): OIDC at `https://id.twitch.tv/oauth2`, `client_secret_post`, scope
/// `openid user:read:email`, and the `claims` request for `email`, `picture` and
/// `preferred_username` in the ID token (Twitch's `scope` array in the token answer is
/// read as a space-separated list).
pub fn twitch(client_id: ConfigValue, client_secret: ConfigValue) -> OAuthProvider {
    let claims = r#"{"id_token":{"email":null,"picture":null,"preferred_username":null}}"#;
    OAuthProvider {
        client_auth: ClientAuth::ClientSecretPost,
        scope: "openid user:read:email".to_owned(),
        authorization_params: vec![("claims".to_owned(), claims.to_owned())],
        ..oidc_preset(
            "twitch",
            "Twitch",
            "https://id.twitch.tv/oauth2",
            client_id,
            client_secret,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// Any JSON value: the documents providers answer are not trusted.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            "[a-z_0-9]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            let keys = prop_oneof![
                Just("id"),
                Just("sub"),
                Just("name"),
                Just("email"),
                Just("avatar"),
                Just("discriminator"),
                Just("data"),
                Just("user"),
                Just("picture"),
                Just("firstName"),
                Just("url"),
                Just("global_name"),
                Just("username"),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((keys, inner), 0..6).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// No profile document makes a mapping panic; a mapped profile has an id.
        #[test]
        fn mappings_never_panic(raw in json_value()) {
            for f in [
                standard_profile,
                gitlab_profile,
                discord_profile,
                facebook_profile,
                twitter_profile,
                apple_profile,
            ] {
                if let Some(p) = f(&raw) {
                    prop_assert!(!p.id.is_empty());
                }
            }
        }

        /// Discord's default avatar is one of its six, for any id or discriminator.
        #[test]
        fn discord_default_avatars_are_in_range(id in any::<u64>(), discriminator in "[0-9]{1,4}") {
            let p = discord_profile(&json!({"id": id.to_string(), "avatar": null, "discriminator": discriminator})).unwrap();
            let image = p.image.unwrap();
            let n: u64 = image
                .strip_prefix("https://cdn.discordapp.com/embed/avatars/")
                .and_then(|r| r.strip_suffix(".png"))
                .unwrap()
                .parse()
                .unwrap();
            prop_assert!(n < 6);
        }
    }

    #[test]
    fn discord_avatars() {
        let p = |v: Value| discord_profile(&v).unwrap().image.unwrap();
        assert_eq!(
            p(
                json!({"id": "80351110224678912", "username": "n", "avatar": "8342729096ea3675442027381ff50dfe", "discriminator": "0"})
            ),
            "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"
        );
        assert_eq!(
            p(json!({"id": "1", "avatar": "a_1269e74af4df7417b13759eae50c83dc"})),
            "https://cdn.discordapp.com/avatars/1/a_1269e74af4df7417b13759eae50c83dc.gif"
        );
        // (80351110224678912 >> 22) % 6 = 5
        assert_eq!(
            p(json!({"id": "80351110224678912", "avatar": null, "discriminator": "0"})),
            "https://cdn.discordapp.com/embed/avatars/5.png"
        );
        assert_eq!(
            p(json!({"id": "80351110224678912", "avatar": null, "discriminator": "1337"})),
            "https://cdn.discordapp.com/embed/avatars/2.png"
        );
        assert_eq!(
            p(json!({"id": "80351110224678912", "avatar": null, "discriminator": "0004"})),
            "https://cdn.discordapp.com/embed/avatars/4.png"
        );
        let named = discord_profile(&json!({"id": "1", "username": "u", "global_name": "G", "avatar": null, "email": "A@B.test", "verified": true})).unwrap();
        assert_eq!(named.name.as_deref(), Some("G"));
        assert_eq!(named.email.as_deref(), Some("a@b.test"));
        assert_eq!(named.email_verified, Some(true));
    }

    #[test]
    fn apple_name_only_from_the_user_field() {
        let first = apple_profile(&json!({
            "sub": "001", "email": "X@privaterelay.appleid.com", "email_verified": "true",
            "user": {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "email": "evil@example.test"},
        }))
        .unwrap();
        assert_eq!(first.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(first.email.as_deref(), Some("x@privaterelay.appleid.com"));
        assert_eq!(first.email_verified, Some(true));
        let later = apple_profile(&json!({"sub": "001", "email": "x@example.test"})).unwrap();
        assert_eq!(later.name.as_deref(), Some("x@example.test"));
    }

    #[test]
    fn mappings_without_an_id_find_no_user() {
        for f in [
            standard_profile,
            gitlab_profile,
            discord_profile,
            facebook_profile,
            twitter_profile,
            apple_profile,
        ] {
            assert!(f(&json!({"name": "x"})).is_none());
        }
        assert!(
            twitter_profile(&json!({"id": "1"})).is_none(),
            "the user is under `data`"
        );
        // An empty id is no id (found by `mappings_never_panic`).
        assert!(discord_profile(&json!({"id": "", "avatar": null})).is_none());
    }

    #[test]
    fn standard_profile_falls_back_like_auth_js() {
        let p =
            standard_profile(&json!({"sub": "s", "preferred_username": "pu", "email": "A@X.TEST"}))
                .unwrap();
        assert_eq!(p.name.as_deref(), Some("pu"));
        assert_eq!(p.email.as_deref(), Some("a@x.test"));
        let p =
            gitlab_profile(&json!({"id": 42, "username": "u", "avatar_url": "https://a"})).unwrap();
        assert_eq!((p.id.as_str(), p.name.as_deref()), ("42", Some("u")));
    }
}
