//! `Email { .. }`: every option, the hook binding the request and the application state,
//! a function as the hook, a custom verify-request page.

use std::sync::{Arc, Mutex};

use auth_runtime::config::VerificationRequest;

#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<String>>>);

async fn by_text_message(request: VerificationRequest) -> Result<(), std::io::Error> {
    let _ = request.url;
    Ok(())
}

auth_runtime::auth! {
    state: Outbox,
    providers: [
        Email {
            server: env("EMAIL_SERVER"),
            from: "Example <no-reply@example.com>",
            id: "magic",
            name: "Magic link",
            max_age: 10 * 60,
            send_verification_request: |request, state| async move {
                state.0.lock().unwrap().push(request.url);
            },
        },
        Email {
            server: "smtp://127.0.0.1:2525",
            send_verification_request: by_text_message,
        },
    ],
    pages: { verify_request: "/check-your-inbox" },
}

fn main() {
    let config = config(Outbox::default());
    assert_eq!(config.providers().len(), 2);
    assert_eq!(config.providers()[0].id(), "magic");
    assert_eq!(config.providers()[1].id(), "email");
    assert_eq!(config.pages().verify_request.as_deref(), Some("/check-your-inbox"));
}
