// A `macro_rules!` body names the callback's variables where it is defined.
auth_runtime::auth! {
    callbacks: {
        jwt(token, user) {
            macro_rules! leak {
                () => {
                    user.map(|u| u.id)
                };
            }
            token.sub = leak!();
            token
        },
    },
}

fn main() {}
