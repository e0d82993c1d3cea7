// `reissue_after` not below `max_age`, written or its default (30 days): the session would
// expire before a read re-issues its cookie.
auth_runtime::auth! {
    session: { max_age: 3600, reissue_after: 60 * 60 },
    providers: [
        Credentials { authorize: |credentials| async move { let _ = credentials; None } },
    ],
}

mod default_max_age {
    auth_runtime::auth! {
        session: { reissue_after: 31 * 24 * 3600 },
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
    }
}

fn main() {}
