//! `auth! { user: { role: Role, .. } }`: the typed data `authorize` returns reaches `jwt`
//! (its `user`), the token and, through `#[session]`, the session, with no second lookup;
//! with a database adapter too (which does not store it: the sign-in carries it), and
//! under the database strategy as far as `sign_in` and the events.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Mutex;
use std::time::Duration;

use auth_tests::cookies::CookieJar;
use auth_tests::flow::send_with_jar as send;

/// The application's own type, carried typed.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Member,
    Admin,
}

/// What `jwt` saw as `user` (id, role, teams), per sign-in.
static JWT_SAW: Mutex<Vec<(String, Role, Vec<String>)>> = Mutex::new(Vec::new());

mod auth {
    use auth_runtime::CredentialsError;

    pub use super::Role;

    auth_runtime::auth! {
        user: {
            role: Role,
            /// The user's teams.
            teams: Vec<String>,
        },
        token: { #[session] role: Role },
        providers: [
            Credentials {
                authorize: |credentials| async move {
                    match credentials.get("username") {
                        Some("ada") => Ok(User::new("ada")
                            .with_name("Ada")
                            .with_role(Role::Admin)
                            .with_teams(vec!["core".to_owned()])),
                        Some("bob") => Ok(User::new("bob")),
                        _ => Err(CredentialsError::new("unknown")),
                    }
                },
            },
        ],
        callbacks: {
            jwt(token, user) {
                if let Some(user) = user {
                    super::JWT_SAW.lock().unwrap().push((
                        user.id.clone(),
                        user.role.clone(),
                        user.teams.clone(),
                    ));
                    token.role = user.role;
                }
                token
            },
        },
    }
}

/// What `sign_in` and the `sign_in` event saw as `user.extra["role"]` (database strategy).
static DB_SAW: Mutex<Vec<String>> = Mutex::new(Vec::new());

mod db_auth {
    pub use super::Role;

    /// A plain function as `authorize`, returning the typed `User`.
    async fn check(credentials: auth_runtime::Credentials) -> Option<User> {
        (credentials.get("username") == Some("ada")).then(|| {
            User::new("ada")
                .with_email("ada@example.com")
                .with_role(Role::Admin)
        })
    }

    auth_runtime::auth! {
        session: { strategy: database },
        user: { role: Role },
        providers: [ Credentials { authorize: check } ],
        callbacks: {
            sign_in(user) {
                super::DB_SAW.lock().unwrap().push(format!("sign_in {}", user.extra["role"]));
                true
            },
        },
        events: {
            sign_in(user) {
                super::DB_SAW.lock().unwrap().push(format!("event {}", user.extra["role"]));
            },
        },
    }
}

const SECRET: &str = "macro-user-secret-0123456789abcdef0123";

async fn csrf<T, U>(auth: &auth_runtime::Auth<T, U>, jar: &mut CookieJar) -> String
where
    T: auth_runtime::config::TokenData,
    U: auth_runtime::config::SessionUserData,
{
    auth_tests::flow::csrf_with_jar(auth, jar).await
}

/// Signs `name` in with a fresh jar; returns the jar and the session's JSON.
async fn sign_in_and_read(auth: &auth::Auth, name: &str) -> (CookieJar, serde_json::Value) {
    let mut jar = CookieJar::new();
    let csrf = csrf(auth, &mut jar).await;
    let res = send(
        auth,
        &mut jar,
        "POST",
        "/callback/credentials",
        Some(format!("csrfToken={csrf}&username={name}")),
    )
    .await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(!location.contains("error"), "{location}");
    let res = send(auth, &mut jar, "GET", "/session", None).await;
    (jar, serde_json::from_slice(res.body()).unwrap())
}

fn config() -> auth_runtime::AuthConfig<auth::Token, auth::SessionUser> {
    auth::config()
        .with_secrets([SECRET])
        .with_url("http://localhost:3000")
}

fn jwt_saw(id: &str) -> Vec<(Role, Vec<String>)> {
    JWT_SAW
        .lock()
        .unwrap()
        .iter()
        .filter(|(who, ..)| who == id)
        .map(|(_, role, teams)| (role.clone(), teams.clone()))
        .collect()
}

#[tokio::test]
async fn the_role_reaches_jwt_the_token_and_the_session() {
    let auth = auth::Auth::new(config()).unwrap();
    let (_, session) = sign_in_and_read(&auth, "ada").await;
    assert_eq!(session["user"]["role"], "admin", "{session}");
    assert_eq!(session["user"]["name"], "Ada", "{session}");
    assert_eq!(jwt_saw("ada"), [(Role::Admin, vec!["core".to_owned()])]);
    // A declared field `authorize` left alone is its `Default`.
    let (_, session) = sign_in_and_read(&auth, "bob").await;
    assert_eq!(session["user"]["role"], "member", "{session}");
    assert_eq!(jwt_saw("bob"), [(Role::Member, vec![])]);
}

#[tokio::test]
async fn with_a_database_adapter_the_role_is_carried_past_the_stored_user() {
    let (db, file) = auth_tests::sqlite::adapter("macro-user").await;
    let auth = auth::Auth::with_adapter(config(), db.clone()).unwrap();
    let (_, session) = sign_in_and_read(&auth, "ada").await;
    assert_eq!(session["user"]["role"], "admin", "{session}");
    // The adapter stores the standard fields only.
    let stored = db.get_user("ada").await.unwrap().unwrap();
    assert_eq!(stored.name.as_deref(), Some("Ada"));
    assert!(stored.extra.is_empty(), "{stored:?}");
    // A second sign-in finds the stored user and still carries the role.
    let (_, session) = sign_in_and_read(&auth, "ada").await;
    assert_eq!(session["user"]["role"], "admin", "{session}");
    drop(auth);
    auth_tests::Cleanup::cleanup(file).await;
}

#[tokio::test]
async fn under_the_database_strategy_sign_in_and_the_events_see_the_role() {
    let (db, file) = auth_tests::sqlite::adapter("macro-user-db").await;
    let config = db_auth::config()
        .with_secrets([SECRET])
        .with_url("http://localhost:3000");
    let auth = db_auth::Auth::with_adapter(config, db).unwrap();
    let mut jar = CookieJar::new();
    let csrf = csrf(&auth, &mut jar).await;
    let res = send(
        &auth,
        &mut jar,
        "POST",
        "/callback/credentials",
        Some(format!("csrfToken={csrf}&username=ada")),
    )
    .await;
    assert_eq!(res.status(), 302);
    let res = send(&auth, &mut jar, "GET", "/session", None).await;
    let session: serde_json::Value = serde_json::from_slice(res.body()).unwrap();
    assert_eq!(session["user"]["email"], "ada@example.com", "{session}");
    for _ in 0..200 {
        if DB_SAW.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        *DB_SAW.lock().unwrap(),
        ["sign_in \"admin\"", "event \"admin\""]
    );
    drop(auth);
    auth_tests::Cleanup::cleanup(file).await;
}

#[tokio::test]
async fn the_typed_user_converts_both_ways_and_a_misfit_is_a_clear_error() {
    let typed = auth::User::new("ada")
        .with_email("ada@example.com")
        .with_role(Role::Admin);
    let runtime: auth_runtime::User = typed.clone().try_into().unwrap();
    assert_eq!(runtime.email.as_deref(), Some("ada@example.com"));
    assert_eq!(runtime.extra["role"], "admin");
    assert_eq!(auth::User::try_from(runtime).unwrap(), typed);

    // A server-side sign-in with a role of the wrong type: refused, no panic, no cookie.
    let misfit = auth_runtime::User::new("eve").with_extra("role", 42);
    assert!(auth::User::try_from(misfit.clone()).is_err());
    let auth = auth::Auth::new(config()).unwrap();
    let parts = http::Request::get("http://localhost:3000/")
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let err = auth.sign_in(&parts, misfit).await.unwrap_err();
    assert!(
        matches!(&err, auth_runtime::SessionError::Failed(m) if m.contains("`User` type")),
        "{err:?}"
    );
    // The typed user, converted, signs in.
    let change = auth
        .sign_in(&parts, typed.try_into().unwrap())
        .await
        .unwrap();
    assert!(!change.set_cookies.is_empty());
}

/// An OAuth `profile` mapping that reads the provider's document into the typed data.
fn profile_with_role(raw: &serde_json::Value) -> Option<auth_runtime::Profile> {
    let mut profile = auth_runtime::providers::github_profile(raw)?;
    let role = match raw["login"].as_str() {
        Some("octocat") => Role::Admin,
        _ => Role::Member,
    };
    profile
        .extra
        .insert("role".to_owned(), serde_json::to_value(role).unwrap());
    Some(profile)
}

#[tokio::test]
async fn a_profile_mapping_sets_the_typed_data_of_an_oauth_sign_in() {
    let (_gh, mut provider) = auth_tests::oauth::github::github_server().await;
    provider.profile = std::sync::Arc::new(profile_with_role);
    let client = auth_runtime::providers::oauth::OAuthClient::default();
    let callback = "http://localhost:3000/api/auth/callback/github";
    let started = client.authorize(&provider, callback).await.unwrap();
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&started.url)
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let query: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    let signed_in = client
        .callback(&provider, callback, &query, &started.checks)
        .await
        .unwrap();
    assert_eq!(signed_in.user.extra["role"], "admin");
    let typed = auth::User::try_from(signed_in.user).unwrap();
    assert_eq!(typed.role, Role::Admin);
    assert_eq!(typed.id, "583231");
}
