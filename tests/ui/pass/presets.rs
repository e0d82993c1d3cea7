// Every preset, with its required options and the overrides that point it elsewhere.
#![deny(warnings)]

use auth_runtime::{Provider, env};

auth_runtime::auth! {
    providers: [
        MicrosoftEntraId {
            client_id: env("AUTH_MICROSOFT_ENTRA_ID_ID"),
            client_secret: env("AUTH_MICROSOFT_ENTRA_ID_SECRET"),
            tenant_id: "common",
            allowed_tenants: ["9188040d-6c67-4c5b-b112-36a304b66dad"],
        },
        Apple {
            client_id: env("AUTH_APPLE_ID"),
            team_id: env("AUTH_APPLE_TEAM_ID"),
            key_id: env("AUTH_APPLE_KEY_ID"),
            private_key: env("AUTH_APPLE_PRIVATE_KEY"),
        },
        Apple { id: "apple-minted", client_id: env("AUTH_APPLE_ID"), client_secret: env("AUTH_APPLE_SECRET") },
        GitLab {
            client_id: env("AUTH_GITLAB_ID"),
            client_secret: env("AUTH_GITLAB_SECRET"),
            authorization_url: "https://gitlab.example.com/oauth/authorize",
            token_url: "https://gitlab.example.com/oauth/token",
            userinfo_url: "https://gitlab.example.com/api/v4/user",
        },
        Discord { client_id: env("AUTH_DISCORD_ID"), client_secret: env("AUTH_DISCORD_SECRET") },
        Keycloak {
            issuer: env("AUTH_KEYCLOAK_ISSUER"),
            client_id: env("AUTH_KEYCLOAK_ID"),
            client_secret: env("AUTH_KEYCLOAK_SECRET"),
        },
        Okta { issuer: "https://example.okta.com", client_id: env("AUTH_OKTA_ID"), client_secret: env("AUTH_OKTA_SECRET") },
        Auth0 { issuer: "https://example.us.auth0.com/", client_id: env("AUTH_AUTH0_ID"), client_secret: env("AUTH_AUTH0_SECRET") },
        Facebook { client_id: env("AUTH_FACEBOOK_ID"), client_secret: env("AUTH_FACEBOOK_SECRET"), scope: "email public_profile" },
        Twitter { client_id: env("AUTH_TWITTER_ID"), client_secret: env("AUTH_TWITTER_SECRET") },
        Slack { client_id: env("AUTH_SLACK_ID"), client_secret: env("AUTH_SLACK_SECRET"), name: "Slack workspace" },
        LinkedIn { client_id: env("AUTH_LINKEDIN_ID"), client_secret: env("AUTH_LINKEDIN_SECRET") },
        Twitch {
            client_id: env("AUTH_TWITCH_ID"),
            client_secret: env("AUTH_TWITCH_SECRET"),
            issuer: "http://127.0.0.1:9999",
            allow_dangerous_email_account_linking: false,
        },
    ],
}

fn main() {
    let config = config();
    let found: Vec<(&str, &str)> = config.providers().iter().map(|p| (p.id(), p.kind())).collect();
    assert_eq!(
        found,
        [
            ("microsoft-entra-id", "oidc"),
            ("apple", "oidc"),
            ("apple-minted", "oidc"),
            ("gitlab", "oauth"),
            ("discord", "oauth"),
            ("keycloak", "oidc"),
            ("okta", "oidc"),
            ("auth0", "oidc"),
            ("facebook", "oauth"),
            ("twitter", "oauth"),
            ("slack", "oidc"),
            ("linkedin", "oidc"),
            ("twitch", "oidc"),
        ]
    );
    let Provider::OAuth(entra) = &config.providers()[0] else { panic!() };
    assert_eq!(entra.tenant_id, Some("common".into()));
    assert_eq!(entra.allowed_tenants, ["9188040d-6c67-4c5b-b112-36a304b66dad"]);
    let Provider::OAuth(apple) = &config.providers()[1] else { panic!() };
    assert!(apple.form_post);
    let key = apple.client_secret_jwt.as_ref().unwrap();
    assert_eq!(key.private_key, env("AUTH_APPLE_PRIVATE_KEY"));
    let Provider::OAuth(minted) = &config.providers()[2] else { panic!() };
    assert!(minted.client_secret_jwt.is_none());
    assert_eq!(minted.client_secret, env("AUTH_APPLE_SECRET"));
    let Provider::OAuth(gitlab) = &config.providers()[3] else { panic!() };
    assert_eq!(gitlab.token_url, Some("https://gitlab.example.com/oauth/token".into()));
    let Provider::OAuth(keycloak) = &config.providers()[5] else { panic!() };
    assert_eq!(keycloak.issuer, Some(env("AUTH_KEYCLOAK_ISSUER")));
    let Provider::OAuth(facebook) = &config.providers()[8] else { panic!() };
    assert_eq!(facebook.scope, "email public_profile");
    let Provider::OAuth(slack) = &config.providers()[10] else { panic!() };
    assert_eq!(slack.name, "Slack workspace");
    let Provider::OAuth(twitch) = &config.providers()[12] else { panic!() };
    assert_eq!(twitch.issuer, Some("http://127.0.0.1:9999".into()));
}
