auth_runtime::auth! {
    providers: [
        Github { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
        Bitbucket { client_id: env("BITBUCKET_ID"), client_secret: env("BITBUCKET_SECRET") },
    ],
}

fn main() {}
