// The README's complete example: every section, every provider, every callback.
#![deny(warnings)]
mod auth {
    use auth_runtime::{Credentials, User};

    async fn check(credentials: Credentials) -> Option<User> {
        let ok = credentials.get("username") == Some("ada")
            && credentials.get("password") == Some("lovelace");
        ok.then(|| {
            User::new("1")
                .with_name("Ada")
                .with_email("ada@example.com")
        })
    }

    auth_runtime::auth! {
        session: { strategy: jwt, max_age: 30 * 24 * 3600, update_age: 24 * 3600 },
        token: { id: String, role: Option<String> },
        session_user: { id: String, role: Option<String> },
        providers: [
            Credentials { authorize: |credentials| async move { check(credentials).await } },
            GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
            Google { client_id: env("GOOGLE_ID"), client_secret: env("GOOGLE_SECRET") },
            Oidc { id: "corp", issuer: "https://sso.example.com", client_id: env("CORP_ID"), client_secret: env("CORP_SECRET") },
            OAuth {
                id: "acme",
                authorization_url: "https://acme.example.com/authorize",
                token_url: "https://acme.example.com/token",
                userinfo_url: "https://acme.example.com/userinfo",
                client_id: env("ACME_ID"),
                client_secret: env("ACME_SECRET"),
            },
        ],
        callbacks: {
            sign_in(user, account) {
                let _ = account;
                user.email.as_deref().map_or(false, |e| e.ends_with("@example.com"))
            },
            async jwt(token, user) {
                if let Some(user) = user {
                    token.id = user.id.clone();
                }
                token
            },
            session(session, token) {
                session.user.id = token.id.clone();
                session.user.role = token.role.clone();
                session
            },
            redirect(url, base_url) {
                if url.starts_with(&base_url) { url } else { base_url }
            },
        },
        pages: { sign_in: "/login" },
        base_path: "/api/auth",
        trust_host: true,
    }
}

fn main() {
    let config = auth::config();
    let ids: Vec<&str> = config.providers().iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["credentials", "github", "google", "corp", "acme"]);
    assert_eq!(config.max_age(), 30 * 24 * 3600);
    assert_eq!(config.base_path(), "/api/auth");
    assert_eq!(config.pages().sign_in.as_deref(), Some("/login"));

    let token = auth::Token {
        id: "1".into(),
        role: Some("admin".into()),
        ..Default::default()
    };
    let mut session = auth::Session::default();
    session.user.id = token.id.clone();
    let id: &String = &session.user.id;
    assert_eq!(id, "1");
    assert_eq!(session.user.role, None);
}
