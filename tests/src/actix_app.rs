//! Shared by the `actix_*` tests: the `axum_app` configuration (credentials provider with
//! two users, counting `jwt`/`session` callbacks) served by actix-web's in-process test
//! service, its answers read back as `http` 1 responses for the cookie jar.

use std::future::Future;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use http::StatusCode;

pub use crate::axum_app::{Counters, ORIGIN, SECRET, Session, SessionUser, Token, auth, config};
pub use crate::cookies::CookieJar as Jar;
pub use crate::flow::form;

/// Runs `future` on an actix-web system (the runtime `HttpServer` and its test service
/// expect), from a plain `#[test]`.
pub fn run<F: Future>(future: F) -> F::Output {
    actix_web::rt::System::new().block_on(future)
}

/// `GET path` with the jar's cookies.
pub fn get(path: &str, jar: &Jar) -> TestRequest {
    with_jar(TestRequest::get().uri(path), jar)
}

/// [`get`], accepting HTML as a browser does.
pub fn get_html(path: &str, jar: &Jar) -> TestRequest {
    get(path, jar).insert_header((
        "accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ))
}

/// `POST path` with a form body and the jar's cookies.
pub fn post_form(path: &str, jar: &Jar, fields: &[(&str, &str)]) -> TestRequest {
    with_jar(TestRequest::post().uri(path), jar)
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(form(fields))
}

fn with_jar(request: TestRequest, jar: &Jar) -> TestRequest {
    // The flow needs a host it trusts (the configured URL's).
    let request = request.insert_header(("host", "localhost:3000"));
    if jar.0.is_empty() {
        request
    } else {
        request.insert_header(("cookie", jar.header()))
    }
}

/// One request through the service, answered as an `http` 1 response with its body read.
pub async fn send<S, B>(app: &S, request: TestRequest) -> http::Response<String>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, request.to_request()).await;
    let mut out = http::Response::builder().status(response.status().as_u16());
    for (name, value) in response.headers() {
        out = out.header(name.as_str(), value.as_bytes());
    }
    let body = test::read_body(response).await;
    out.body(String::from_utf8_lossy(&body).into_owned())
        .expect("a valid response")
}

/// `GET /api/auth/csrf`: the token, its cookie in the jar.
pub async fn csrf<S, B>(app: &S, jar: &mut Jar) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = send(app, get("/api/auth/csrf", jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    jar.update(&response);
    let body: serde_json::Value = serde_json::from_str(response.body()).expect("JSON");
    body["csrfToken"].as_str().expect("csrfToken").to_owned()
}

/// Signs in through the mounted flow (`GET /csrf`, `POST /callback/credentials`) and
/// returns the jar with the real session cookie.
pub async fn sign_in<S, B>(app: &S, username: &str, password: &str) -> Jar
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut jar = Jar::default();
    let token = csrf(app, &mut jar).await;
    let response = send(
        app,
        post_form(
            "/api/auth/callback/credentials",
            &jar,
            &[
                ("csrfToken", &token),
                ("callbackUrl", "/"),
                ("username", username),
                ("password", password),
            ],
        ),
    )
    .await;
    assert!(
        response.status().is_redirection(),
        "credentials sign-in answered {}",
        response.status()
    );
    jar.update(&response);
    jar
}
