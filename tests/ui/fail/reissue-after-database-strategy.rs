// `reissue_after` re-issues a JWT: the database strategy has `update_age` instead.
auth_runtime::auth! {
    session: { strategy: database, reissue_after: 3600 },
    providers: [
        Credentials { authorize: |credentials| async move { let _ = credentials; None } },
    ],
}

fn main() {}
