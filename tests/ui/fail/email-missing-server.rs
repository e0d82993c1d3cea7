auth_runtime::auth! {
    providers: [
        Email { from: "Example <no-reply@example.com>" },
    ],
}

fn main() {}
