auth_runtime::auth! {
    providers: [
        Passkey { rp_ide: "example.com" },
        Passkey { id: "key", rp_id: "https://Example.com:8443/login" },
    ],
}

fn main() {}
