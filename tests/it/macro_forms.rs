//! `fields: { .. }` on credentials providers: the built-in sign-in page shows each
//! provider's declared form (escaped), `authorize` receives the typed form, a missing or
//! empty required field is refused (`CredentialsSignin`) without `authorize` running, and
//! two providers each have their own form and type.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Mutex;

use auth_runtime::Provider;
use auth_tests::cookies::CookieJar;
use bytes::Bytes;

/// Every form `authorize` was called with, as `provider:value`.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn seen(entry: &str) -> bool {
    SEEN.lock().unwrap().iter().any(|s| s == entry)
}

mod auth {
    use auth_runtime::User;

    use super::SEEN;

    async fn by_code(form: OneTimeCodeForm) -> Option<User> {
        SEEN.lock().unwrap().push(format!("otp:{}", form.phone));
        (form.code == "123456").then(|| User::new(form.phone))
    }

    auth_runtime::auth! {
        providers: [
            Credentials {
                id: "password",
                name: "Password",
                fields: {
                    email: { label: "E-mail <work>", type: "email", placeholder: "you@\"example\".com" },
                    password: { type: "password" },
                    team: { required: false },
                },
                authorize: |credentials| async move {
                    let team = credentials.team.unwrap_or_else(|| "none".to_owned());
                    SEEN.lock().unwrap().push(format!("password:{}:{team}", credentials.email));
                    (credentials.password == "secret").then(|| User::new(credentials.email))
                },
            },
            Credentials {
                id: "one-time-code",
                name: "One-time code",
                fields: { phone: { type: "tel" }, code: { label: "Code", type: "number" } },
                authorize: by_code,
            },
        ],
    }
}

fn service() -> auth::Auth {
    let config = auth::config()
        .with_secrets(["macro-forms-secret-0123456789abcdef0123"])
        .with_url("http://localhost:3000");
    auth::Auth::new(config).unwrap()
}

/// Posts `body` (after the CSRF token) to provider `id`'s callback.
async fn post(id: &str, body: &str) -> http::Response<Bytes> {
    let auth = service();
    let mut jar = CookieJar::new();
    let csrf = auth_tests::flow::csrf_with_jar(&auth, &mut jar).await;
    auth.handle(
        http::Request::post(format!("/api/auth/callback/{id}"))
            .header("cookie", jar.header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from(format!("csrfToken={csrf}&{body}")))
            .unwrap(),
    )
    .await
}

fn location(res: &http::Response<Bytes>) -> &str {
    res.headers()["location"].to_str().unwrap()
}

const REFUSED: &str =
    "http://localhost:3000/api/auth/signin?error=CredentialsSignin&code=credentials";

#[tokio::test]
async fn the_page_shows_each_declared_form_escaped() {
    let res = service()
        .handle(
            http::Request::get("/api/auth/signin")
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = std::str::from_utf8(res.body()).unwrap();
    assert!(
        html.contains(
            "<label for=\"input-email-for-password-provider\">E-mail &lt;work&gt;</label>\n\
             <input id=\"input-email-for-password-provider\" name=\"email\" type=\"email\" \
             placeholder=\"you@&quot;example&quot;.com\" required autocomplete=\"email\" autofocus>"
        ),
        "{html}"
    );
    assert!(
        html.contains("name=\"password\" type=\"password\" required"),
        "{html}"
    );
    assert!(
        html.contains("<label for=\"input-team-for-password-provider\">Team</label>"),
        "{html}"
    );
    assert!(html.contains("name=\"team\" type=\"text\">"), "{html}");
    assert!(
        html.contains("action=\"http://localhost:3000/api/auth/callback/one-time-code\""),
        "{html}"
    );
    assert!(
        html.contains("name=\"phone\" type=\"tel\" required>"),
        "{html}"
    );
    assert!(html.contains(">Code</label>"), "{html}");
    assert!(
        html.contains("name=\"code\" type=\"number\" required>"),
        "{html}"
    );
    assert!(!html.contains("name=\"username\""), "{html}");
    assert_eq!(
        html.matches("<form class=\"provider credentials\"").count(),
        2
    );
}

#[tokio::test]
async fn a_missing_or_empty_required_field_never_reaches_authorize() {
    let res = post("password", "email=missing%40example.com").await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), REFUSED);
    let res = post("password", "email=empty%40example.com&password=").await;
    assert_eq!(location(&res), REFUSED);
    let res = post("one-time-code", "phone=%2B100&code=").await;
    assert_eq!(location(&res), REFUSED);
    assert!(!seen("password:missing@example.com:none"));
    assert!(!seen("password:empty@example.com:none"));
    assert!(!seen("otp:+100"));
    // The optional field may be left out or empty: `None`.
    let res = post("password", "email=ada%40example.com&password=secret&team=").await;
    assert_eq!(location(&res), "http://localhost:3000");
    assert!(seen("password:ada@example.com:none"));
}

#[tokio::test]
async fn two_providers_two_forms_two_types() {
    let res = post(
        "password",
        "email=grace%40example.com&password=secret&team=navy",
    )
    .await;
    assert_eq!(location(&res), "http://localhost:3000");
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("session-token")
    );
    assert!(seen("password:grace@example.com:navy"));
    let res = post("one-time-code", "phone=%2B200&code=123456").await;
    assert_eq!(location(&res), "http://localhost:3000");
    assert!(seen("otp:+200"));
    let res = post("one-time-code", "phone=%2B201&code=000000").await;
    assert_eq!(location(&res), REFUSED);
    assert!(seen("otp:+201"));
    // The field names, from the type and at run time.
    assert_eq!(auth::PasswordForm::FIELDS, ["email", "password", "team"]);
    assert_eq!(auth::OneTimeCodeForm::FIELDS, ["phone", "code"]);
    let config = auth::config();
    let names: Vec<Vec<(&str, bool)>> = config
        .providers()
        .iter()
        .map(|p| match p {
            Provider::Credentials(c) => c
                .fields
                .iter()
                .map(|f| (f.name.as_str(), f.required))
                .collect(),
            Provider::OAuth(_) | Provider::Passkey(_) | Provider::Email(_) => Vec::new(),
        })
        .collect();
    assert_eq!(
        names,
        [
            vec![("email", true), ("password", true), ("team", false)],
            vec![("phone", true), ("code", true)],
        ]
    );
}
