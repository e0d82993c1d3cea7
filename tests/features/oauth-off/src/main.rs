//! Does not compile: `GitHub` needs auth-runtime's `oauth` feature, `Passkey` its `passkey`
//! feature; each error names its feature.

auth_runtime::auth! {
    providers: [
        GitHub { client_id: env("GITHUB_ID"), client_secret: env("GITHUB_SECRET") },
        Passkey { rp_name: "Example" },
    ],
}

fn main() {
    let _ = config();
}
