mod auth {
    auth_runtime::auth! {
        providers: [
            Credentials {
                id: "password",
                fields: {
                    email: { type: "email" },
                    password: { type: "password" },
                },
                authorize: |credentials| async move {
                    let _ = credentials.pasword;
                    Some(auth_runtime::User::new(credentials.emial))
                },
            },
        ],
    }
}

fn main() {}
