auth_runtime::auth! {
    providers: [
        Credentials {
            fields: { email: { type: "emal" }, code: { type: 6 }, remember: { required: "no" } },
            authorize: |credentials| async move { let _ = credentials.email; None },
        },
    ],
}

fn main() {}
