// A function given as `authorize`: a wrong return type, or a wrong parameter, is
// reported on the function's name where it is written.
use auth_runtime::Credentials;

async fn allowed(credentials: Credentials) -> bool {
    credentials.get("username").is_some()
}

async fn by_name(name: String) -> Option<auth_runtime::User> {
    Some(auth_runtime::User::new(name))
}

mod returns {
    auth_runtime::auth! {
        providers: [ Credentials { authorize: super::allowed } ],
    }
}

mod takes {
    auth_runtime::auth! {
        providers: [ Credentials { authorize: super::by_name } ],
    }
}

fn main() {}
