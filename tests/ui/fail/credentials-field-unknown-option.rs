auth_runtime::auth! {
    providers: [
        Credentials {
            fields: { email: { labl: "E-mail", type: "email" } },
            authorize: |credentials| async move { let _ = credentials.email; None },
        },
    ],
}

fn main() {}
