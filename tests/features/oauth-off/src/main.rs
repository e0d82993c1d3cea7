//! Does not compile: `GitHub` and the other presets need auth-runtime's `oauth` feature,
//! `Passkey` its `passkey` feature; each error names its feature.

auth_runtime::auth! {
    providers: [
        GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
        MicrosoftEntraId { client_id: env("ENTRA_ID"), client_secret: env("ENTRA_SECRET"), tenant_id: "common" },
        Apple { client_id: env("APPLE_ID"), team_id: "T", key_id: "K", private_key: env("APPLE_KEY") },
        Keycloak { issuer: env("KC_ISSUER"), client_id: env("KC_ID"), client_secret: env("KC_SECRET") },
        Passkey { rp_name: "Example" },
    ],
}

fn main() {
    let _ = config();
}
