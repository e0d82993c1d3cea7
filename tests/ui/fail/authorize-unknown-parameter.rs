#[derive(Clone)]
pub struct AppState;

auth_runtime::auth! {
    state: AppState,
    providers: [
        Credentials { authorize: |credentials, stat| async move { let _ = (credentials, stat); None } },
        Credentials { id: "twice", authorize: |state, state| async move { None } },
        Credentials { id: "pattern", authorize: |(a, b), state| async move { None } },
    ],
}

fn main() {}
