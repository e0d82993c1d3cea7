auth_runtime::auth! {
    providers: [
        Credentials {
            fields: { email: { type: "email" }, password: { type: "password" }, email: {} },
            authorize: |credentials| async move { let _ = credentials.email; None },
        },
    ],
}

fn main() {}
