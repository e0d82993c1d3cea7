// Option values are type-checked where they are written.
auth_runtime::auth! {
    session: { max_age: "30 days" },
    providers: [
        GitHub { client_id: 42, client_secret: env("GITHUB_SECRET"), allow_dangerous_email_account_linking: "yes" },
        Credentials { authorize: |credentials| async move { credentials.get("username").is_some() } },
    ],
    trust_host: 1,
}

fn main() {}
