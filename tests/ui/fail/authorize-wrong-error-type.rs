use auth_runtime::User;

auth_runtime::auth! {
    providers: [
        Credentials {
            authorize: |credentials| async move {
                match credentials.get("username") {
                    Some(name) => Ok(User::new(name)),
                    None => Err(String::from("no user")),
                }
            },
        },
    ],
}

fn main() {}
