// Sign-in limits: every mistake in one compile, each on its own tokens.
auth_runtime::auth! {
    providers: [
        Credentials { authorize: |credentials| async move { let _ = credentials; None } },
    ],
    limits: {
        sign_in: {
            per_ipp: 20 / 60s,
            per_identifier: 5 / 15,
            identifier: 5,
            max_keys: 0,
        },
        sign_up: off,
    },
}

mod units {
    auth_runtime::auth! {
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
        limits: { sign_in: { per_ip: 0 / 1m, per_identifier: never } },
    }
}

mod shape {
    auth_runtime::auth! {
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
        limits: { sign_in: { per_ip: 20 / } },
    }
}

fn main() {}
