// With `user: { .. }`, `authorize` returns the generated `User`, not the runtime's.
mod auth {
    auth_runtime::auth! {
        user: { role: String },
        providers: [
            Credentials {
                authorize: |c| async move { c.get("id").map(auth_runtime::User::new) },
            },
        ],
    }
}

fn main() {}
