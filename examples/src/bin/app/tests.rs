//! The app's own tests, written with the test kit (`auth_runtime::testing`, the `testing`
//! feature in `[dev-dependencies]`): the router runs in-process, a `TestClient` keeps the
//! cookies, and sessions are minted without a sign-in round trip where that is not the
//! point of the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use auth_runtime::testing::{TestClient, TestError, session_cookie_for_user};
use axum::http::StatusCode;

use super::*;

/// The app on a fresh in-memory database holding the admin `root`.
async fn test_app() -> (Router, Db, auth::Auth) {
    let db = Db::in_memory().await.unwrap();
    db.create_user("root", "root-password", Role::Admin)
        .await
        .unwrap();
    let config = auth::config(db.clone())
        .with_secrets(["a test secret of at least thirty-two bytes"])
        .with_url("http://localhost:3000");
    let auth = auth::Auth::new(config).unwrap();
    (app(db.clone(), auth.clone()), db, auth)
}

#[tokio::test]
async fn admin_is_for_the_admin_role_only() {
    let (app, db, auth) = test_app().await;
    let ada = db
        .create_user("ada", "correct horse", Role::User)
        .await
        .unwrap();

    // Signed out: 401 (a browser, asking for HTML, is sent to /login).
    let mut visitor = TestClient::new(app.clone());
    assert_eq!(
        visitor.get("/admin").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A minted session for a user (the typed `User`, converted to the runtime's): 403.
    let ada = auth::User::new(&ada.id).with_role(Role::User);
    let cookie = session_cookie_for_user(&auth, ada.try_into().unwrap())
        .await
        .unwrap();
    let mut user = TestClient::new(app.clone()).with_cookie_header(&cookie);
    assert_eq!(user.get("/admin").await.status(), StatusCode::FORBIDDEN);

    // The admin, signed in through the flow (CSRF, then the credentials callback): 200.
    let mut admin = TestClient::new(app);
    admin
        .sign_in(
            "credentials",
            &[("username", "root"), ("password", "root-password")],
        )
        .await
        .unwrap();
    assert_eq!(admin.get("/admin").await.status(), StatusCode::OK);
}

fn body(response: &axum::http::Response<axum::body::Bytes>) -> String {
    String::from_utf8_lossy(response.body()).into_owned()
}

fn location(response: &axum::http::Response<axum::body::Bytes>) -> String {
    let value = response.headers().get("location").expect("a redirect");
    value.to_str().unwrap().to_owned()
}

/// The `/login` path of a refused sign-in's redirect, checking its code.
fn login_path<'a>(url: &'a str, code: &str) -> &'a str {
    let path = url.strip_prefix("http://localhost:3000").unwrap_or(url);
    let expected = format!("/login?error=CredentialsSignin&code={code}");
    assert!(path.starts_with(&expected), "{url}");
    path
}

/// Signs up through the form, as a browser does (GET the page's CSRF token, POST).
async fn sign_up(client: &mut TestClient, name: &str, password: &str) -> StatusCode {
    let csrf = client.csrf_token().await.unwrap();
    let fields = [
        ("csrfToken", csrf.as_str()),
        ("username", name),
        ("password", password),
    ];
    client.post_form("/signup", &fields).await.status()
}

#[tokio::test]
async fn sign_up_signs_the_new_user_in() {
    let (app, db, _auth) = test_app().await;
    let mut client = TestClient::new(app.clone());
    assert_eq!(
        sign_up(&mut client, "ada", "correct horse").await,
        StatusCode::SEE_OTHER
    );
    let home = client.get("/").await;
    assert!(
        body(&home).contains("Signed in as <strong>ada</strong> (User)"),
        "{}",
        body(&home)
    );
    let (account, hash) = db.find_by_name("ada").await.unwrap().unwrap();
    assert_eq!(account.role, Role::User);
    assert!(hash.starts_with("$argon2id$"), "stored as an argon2id hash");

    // The name is taken now; a newline in a name is refused; no CSRF token is a 403.
    let mut other = TestClient::new(app.clone());
    assert_eq!(
        sign_up(&mut other, "ada", "another password").await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        sign_up(&mut other, "eve\nINFO", "a password!").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let forged = [("username", "mallory"), ("password", "a password!")];
    let response = TestClient::new(app).post_form("/signup", &forged).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(db.find_by_name("mallory").await.unwrap().is_none());
}

#[tokio::test]
async fn refused_sign_ins_carry_their_code_to_the_login_page() {
    let (app, db, _auth) = test_app().await;
    let ada = db
        .create_user("ada", "correct horse", Role::User)
        .await
        .unwrap();
    let mut client = TestClient::new(app.clone());

    // A wrong password and an unknown name answer the same default code.
    for (name, password) in [("ada", "wrong"), ("nobody", "correct horse")] {
        let e = client
            .sign_in("credentials", &[("username", name), ("password", password)])
            .await
            .unwrap_err();
        let TestError::Refused(url) = e else {
            panic!("{e}")
        };
        let path = login_path(&url, "credentials");
        assert!(body(&client.get(path).await).contains("Wrong user name or password."));
    }

    // A suspended account, with the right password: the custom code, explained.
    assert!(db.set_suspended(&ada.id, true).await.unwrap());
    let e = client
        .sign_in(
            "credentials",
            &[("username", "ada"), ("password", "correct horse")],
        )
        .await
        .unwrap_err();
    let TestError::Refused(url) = e else {
        panic!("{e}")
    };
    let path = login_path(&url, "suspended");
    assert!(body(&client.get(path).await).contains("This account is suspended"));

    // Reinstated, the same sign-in works and the session carries the user.
    assert!(db.set_suspended(&ada.id, false).await.unwrap());
    client
        .sign_in(
            "credentials",
            &[("username", "ada"), ("password", "correct horse")],
        )
        .await
        .unwrap();
    assert!(body(&client.get("/").await).contains("Signed in as <strong>ada</strong>"));
}

#[tokio::test]
async fn admins_suspend_accounts_and_users_cannot() {
    let (app, db, auth) = test_app().await;
    let ada = db
        .create_user("ada", "correct horse", Role::User)
        .await
        .unwrap();
    let mut admin = TestClient::new(app.clone());
    admin
        .sign_in(
            "credentials",
            &[("username", "root"), ("password", "root-password")],
        )
        .await
        .unwrap();
    let page = admin.get("/admin").await;
    assert!(body(&page).contains("<td>ada</td>"), "{}", body(&page));
    let csrf = admin.csrf_token().await.unwrap();
    let path = format!("/admin/users/{}/suspended", ada.id);
    let fields = [("csrfToken", csrf.as_str()), ("suspended", "true")];
    let response = admin.post_form(&path, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(db.find_by_name("ada").await.unwrap().unwrap().0.suspended);

    // A user cannot reach the admin's form, even with a valid CSRF token.
    let user = auth::User::new(&ada.id).with_role(Role::User);
    let cookie = session_cookie_for_user(&auth, user.try_into().unwrap())
        .await
        .unwrap();
    let mut user = TestClient::new(app).with_cookie_header(&cookie);
    let csrf = user.csrf_token().await.unwrap();
    let fields = [("csrfToken", csrf.as_str()), ("suspended", "false")];
    assert_eq!(
        user.post_form(&path, &fields).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_browser_goes_through_login_and_back() {
    let (app, _db, _auth) = test_app().await;
    let mut browser = TestClient::new(app);
    let request = axum::http::Request::get("/admin")
        .header("accept", "text/html")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = browser.send(request).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?callbackUrl=%2Fadmin");

    // The page carries the return path into its form; the flow redirects there.
    let page = body(&browser.get("/login?callbackUrl=%2Fadmin").await);
    assert!(
        page.contains(r#"name="callbackUrl" value="/admin""#),
        "{page}"
    );
    let fields = [
        ("username", "root"),
        ("password", "root-password"),
        ("callbackUrl", "/admin"),
    ];
    let response = browser.sign_in("credentials", &fields).await.unwrap();
    assert_eq!(location(&response), "http://localhost:3000/admin");
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let (app, _db, _auth) = test_app().await;
    let mut client = TestClient::new(app);
    assert_eq!(
        sign_up(&mut client, "ada", "correct horse").await,
        StatusCode::SEE_OTHER
    );

    // Without the CSRF token the sign-out form is refused and the session stays.
    assert_eq!(
        client.post_form("/logout", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert!(body(&client.get("/").await).contains("Signed in as"));

    let csrf = client.csrf_token().await.unwrap();
    let response = client
        .post_form("/logout", &[("csrfToken", csrf.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    assert!(
        !client.cookie_header().contains("session-token"),
        "{}",
        client.cookie_header()
    );
    assert!(body(&client.get("/").await).contains("Sign in"));
}

#[test]
fn new_account_rules() {
    assert_eq!(check_new_account("ada.l-2", "8 chars!"), Ok(()));
    for name in ["ad", "eve\nINFO forged", "<b>", "é-accent", &"x".repeat(33)] {
        assert!(check_new_account(name, "a password").is_err(), "{name:?}");
    }
    assert!(check_new_account("ada", "short").is_err());
}
