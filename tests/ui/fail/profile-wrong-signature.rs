// An OAuth provider's `profile` mapping of the wrong shape: reported on the function's name.
use auth_runtime::config::Profile;

fn by_login(login: &str) -> Option<Profile> {
    let _ = login;
    None
}

fn returns_nothing(raw: &serde_json::Value) {
    let _ = raw;
}

mod takes {
    auth_runtime::auth! {
        providers: [
            OAuth {
                id: "acme", authorization_url: "a", token_url: "t", userinfo_url: "u",
                client_id: "i", client_secret: "s", profile: super::by_login,
            },
        ],
    }
}

mod returns {
    auth_runtime::auth! {
        providers: [
            OAuth {
                id: "acme", authorization_url: "a", token_url: "t", userinfo_url: "u",
                client_id: "i", client_secret: "s", profile: super::returns_nothing,
            },
        ],
    }
}

fn main() {}
