auth_runtime::auth! {
    providers: [
        Email {
            server: env("EMAIL_SERVER"),
            frm: "Example <no-reply@example.com>",
            max_age: 600,
            send_verification_request: |request, stat| async move { let _ = request; },
        },
    ],
}

fn main() {}
