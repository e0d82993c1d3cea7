auth_runtime::auth! {
    providers: [
        GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET"), scopes: "read:user" },
        Oidc {
            id: "corp",
            issuer: "https://sso.example.com",
            client_id: env("CORP_ID"),
            client_secret: env("CORP_SECRET"),
            client_auth: client_secret_jwt,
            client_id: "again",
        },
    ],
}

fn main() {}
