auth_runtime::auth! {
    providers: [
        GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
        GitHub { client_id: env("GITHUB2_ID"), client_secret: env("GITHUB2_SECRET") },
        Oidc { id: "corp", issuer: "https://a.example.com", client_id: "a", client_secret: "b" },
        Oidc { id: "corp", issuer: "https://b.example.com", client_id: "a", client_secret: "b" },
    ],
}

fn main() {}
