auth_runtime::auth! {
    providers: [
        Email {
            server: env("EMAIL_SERVER"),
            send_verification_request: |request| async move { request.url.len() },
        },
    ],
}

fn main() {}
