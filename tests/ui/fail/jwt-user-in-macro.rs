// Uses hidden in macro calls are found: arguments and inline format arguments.
auth_runtime::auth! {
    callbacks: {
        jwt(token, user, account, profile) {
            println!("signing in {}", user.is_some());
            let _ = format!("{account:?}");
            assert!(profile.is_none(), "no profile expected");
            token
        },
    },
}

fn main() {}
