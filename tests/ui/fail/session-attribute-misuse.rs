auth_runtime::auth! {
    token: {
        #[sesion] role: Option<String>,
        #[session(renam = "plan_name")] plan: String,
        #[session(rename = "not a name")] tier: String,
        #[session[rename = "level"]] level: String,
        access_token: Option<String>,
    },
    session_user: { #[session] id: String },
}

fn main() {
    // Not asked for: the access token stays in the token.
    let user = SessionUser::default();
    let _ = user.access_token;
}
