// `request` (method, headers, cookies, client address) in `authorize`, by name in any
// order and with or without its type, and in the `sign_in` callback; `trust_proxy`.
#![deny(warnings)]

mod auth {
    use auth_runtime::{RequestInfo, User};

    auth_runtime::auth! {
        providers: [
            Credentials {
                authorize: |request, credentials| async move {
                    let _: Option<std::net::IpAddr> = request.client_ip();
                    (credentials.get("password") == Some("pw")).then(|| User::new("1"))
                },
            },
            Credentials {
                id: "agent",
                authorize: |request: RequestInfo| async move {
                    request.header("user-agent").map(User::new)
                },
            },
        ],
        callbacks: {
            sign_in(user, request) {
                request.client_ip().is_some_and(|ip| ip.is_loopback()) || user.id == "1"
            },
        },
        trust_proxy: true,
    }
}

fn main() {
    assert!(auth::config().trust_proxy());
}
