// The UI crate builds auth-runtime without its `passkey` feature.
auth_runtime::auth! {
    providers: [
        Passkey { rp_name: "Example" },
    ],
}

fn main() {}
