const ID: &str = "corp";

auth_runtime::auth! {
    providers: [
        Oidc { id: ID, issuer: "https://sso.example.com", client_id: "a", client_secret: "b" },
    ],
}

fn main() {}
