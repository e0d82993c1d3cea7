// A raw identifier names the same parameter.
auth_runtime::auth! {
    callbacks: {
        jwt(token, user) {
            token.name = r#user.and_then(|u| u.name);
            token
        },
    },
}

fn main() {}
