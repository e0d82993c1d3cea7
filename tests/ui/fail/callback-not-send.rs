// A callback body holding something that is not `Send` across an `.await`: the handlers
// run on any thread.
async fn lookup() {}

auth_runtime::auth! {
    callbacks: {
        jwt(token) {
            let counter = std::rc::Rc::new(1);
            lookup().await;
            let _ = counter;
            token
        },
    },
    providers: [
        Credentials {
            authorize: |credentials| async move {
                let name = std::rc::Rc::new(credentials.get("username").map(str::to_owned));
                lookup().await;
                (*name).clone().map(auth_runtime::User::new)
            },
        },
    ],
}

fn main() {}
