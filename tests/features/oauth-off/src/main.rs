//! Does not compile: `GitHub` needs auth-runtime's `oauth` feature.

auth_runtime::auth! {
    providers: [
        GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
    ],
}

fn main() {
    let _ = config();
}
