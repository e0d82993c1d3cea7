// `#[session]` on a token field copies it into `session.user` (declared there or added,
// same type), `#[session(rename = "..")]` under another name; `session_user`'s `id` is
// filled from `sub` before any `session` callback. Nothing else is exposed.
#![deny(warnings)]

auth_runtime::auth! {
    token: {
        /// The user's role.
        #[session] role: Option<String>,
        #[session(rename = "plan_name")] plan: String,
        access_token: Option<String>,
    },
    session_user: { id: String, role: Option<String> },
}

fn main() {
    // `plan_name` was added to `SessionUser` (`access_token` was not: see
    // `fail/session-attribute-misuse.rs`).
    let user = SessionUser {
        id: String::new(),
        role: None,
        plan_name: String::new(),
        ..SessionUser::default()
    };
    assert_eq!(user.plan_name, "");
    let _ = config();
}
