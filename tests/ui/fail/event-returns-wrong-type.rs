auth_runtime::auth! {
    events: {
        sign_in(user) { user.id.len() },
    },
}

fn main() {}
