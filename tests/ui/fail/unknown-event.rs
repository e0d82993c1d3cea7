// Unknown events and event parameters, with "did you mean".
auth_runtime::auth! {
    events: {
        signIn(user) {}
        sign_in(user, isNewUser) {}
        create_user(user, account) {}
    },
}

fn main() {}
