auth_runtime::auth! {
    providers: [
        Credentials { authorize: |credentials, state| async move { let _ = (credentials, state); None } },
    ],
    callbacks: {
        jwt(token, state) { let _ = state; token },
    },
    events: {
        sign_out(state) { let _ = state; },
    },
}

fn main() {}
