// `state: AppState`: `config` takes the application's state; `authorize` (by name, any
// order), every callback and every event may bind `state`; `Auth` is generated.
#![deny(warnings)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone, Default)]
pub struct AppState {
    calls: Arc<AtomicUsize>,
}

mod auth {
    use auth_runtime::User;

    use super::AppState;

    auth_runtime::auth! {
        state: AppState,
        providers: [
            Credentials {
                authorize: |credentials: auth_runtime::Credentials, state| async move {
                    state.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    credentials.get("id").map(User::new)
                },
            },
            Credentials { id: "legacy", authorize: |c| async move { c.get("id").map(User::new) } },
            Credentials { id: "state-only", authorize: |state| async move { let _ = state; None } },
        ],
        callbacks: {
            sign_in(state) { let _ = state; true },
            jwt(token, state) { let _ = state.calls.load(std::sync::atomic::Ordering::SeqCst); token },
            redirect(url, state) { let _ = state; url },
        },
        events: {
            sign_out(user_id, state) { let _ = (user_id, state); },
        },
    }
}

fn main() {
    let state = AppState::default();
    let config = auth::config(state.clone());
    assert_eq!(config.providers().len(), 3);
    let auth: Result<auth::Auth, _> = auth::Auth::new(
        config
            .with_secrets(["state-secret-0123456789abcdef0123456789"])
            .with_url("http://localhost:3000"),
    );
    if let Err(e) = auth {
        panic!("{e}");
    }
    assert_eq!(state.calls.load(Ordering::SeqCst), 0);
}
