// The presets' required options: Entra ID's tenant, the issuer of Keycloak, Okta and Auth0.
auth_runtime::auth! {
    providers: [
        MicrosoftEntraId { client_id: env("ENTRA_ID"), client_secret: env("ENTRA_SECRET") },
        Keycloak { client_id: env("KC_ID"), client_secret: env("KC_SECRET") },
        Okta { issuer: env("OKTA_ISSUER"), client_id: env("OKTA_ID") },
        Twitch { client_secret: env("TWITCH_SECRET") },
        Discord { client_id: env("DISCORD_ID"), client_secret: env("DISCORD_SECRET"), issuer: "https://discord.com" },
    ],
}

fn main() {}
