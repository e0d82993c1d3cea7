// A closure does not make `user` present.
auth_runtime::auth! {
    callbacks: {
        jwt(token, user) {
            let id = move || user.map(|u| u.id);
            token.sub = id();
            token
        },
    },
}

fn main() {}
