auth_runtime::auth! {
    providers: [
        Github { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
        Facebook { client_id: env("FB_ID"), client_secret: env("FB_SECRET") },
    ],
}

fn main() {}
