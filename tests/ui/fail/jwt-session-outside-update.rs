// `session` (the update data) is only present on `POST /session`.
auth_runtime::auth! {
    callbacks: {
        jwt(token, trigger, session) {
            if trigger == Some(auth_runtime::Trigger::Update) {
                token.name = session.and_then(|s| s["name"].as_str().map(str::to_owned));
            }
            token
        },
    },
}

fn main() {}
