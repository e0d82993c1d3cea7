auth_runtime::auth! {
    providers: [
        Email {
            server: env("EMAIL_SERVER"),
            send_verification_request: |request, state| async move { let _ = (request, state); },
        },
    ],
}

fn main() {}
