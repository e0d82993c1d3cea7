auth_runtime::auth! {
    callbacks: {
        sign_in(user) { user.email.as_ref().map(|e| e.len()) },
    },
}

fn main() {}
