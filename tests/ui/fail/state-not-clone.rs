pub struct AppState {
    pub pool: std::cell::RefCell<Vec<String>>,
}

auth_runtime::auth! {
    state: AppState,
    callbacks: {
        jwt(token, state) { let _ = state.pool; token },
    },
}

fn main() {}
