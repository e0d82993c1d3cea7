auth_runtime::auth! {
    providers: [
        Credentials { name: "Password" },
        GitHub { client_id: env("GITHUB_ID") },
        Oidc { client_id: env("CORP_ID"), client_secret: env("CORP_SECRET") },
    ],
}

fn main() {}
