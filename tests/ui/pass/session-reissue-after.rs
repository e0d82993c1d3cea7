// `session: { reissue_after }`: a literal, an arithmetic of literals, a constant (checked
// by the runtime at start-up), with and without `max_age`.
#![deny(warnings)]

auth_runtime::auth! {
    session: { strategy: jwt, max_age: 7 * 24 * 3600, reissue_after: 3600 },
    providers: [
        Credentials { authorize: |credentials| async move { let _ = credentials; None } },
    ],
}

mod default_max_age {
    auth_runtime::auth! {
        session: { reissue_after: 24 * 60 * 60 },
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
    }
}

mod constant {
    const HOUR: u64 = 3600;
    auth_runtime::auth! {
        session: { max_age: 2 * HOUR, reissue_after: HOUR },
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
    }
}

fn main() {
    assert_eq!(config().reissue_after(), 3600);
    assert_eq!(config().max_age(), 7 * 24 * 3600);
    assert_eq!(default_max_age::config().reissue_after(), 24 * 3600);
    assert_eq!(constant::config().reissue_after(), 3600);
    // Not written: every read re-issues the cookie (Auth.js).
    assert_eq!(auth_runtime::AuthConfig::<(), ()>::default().reissue_after(), 0);
}
