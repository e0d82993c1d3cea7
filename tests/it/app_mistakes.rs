//! Mistakes caught early, errors that help: a missing layer answers without internal type
//! names, short secrets are refused at start-up, `ConfigError`'s `Debug` is its message
//! (what `fn main() -> Result<(), Box<dyn Error>>` prints).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use auth_runtime::{Auth, ConfigError};
use auth_tests::axum_app::*;
use auth_tests::flow::plain_config;
use axum::Router;
use axum::routing::get;
use http::StatusCode;

async fn me(session: Session) -> String {
    session.user.id
}

#[tokio::test]
async fn missing_layer_body_names_no_internal_type() {
    let auth = auth(&Counters::default());
    let app: Router = Router::new().route("/me", get(me)).merge(auth.routes());
    let response = send(&app, req("/me", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = body_string(response).await;
    assert!(body.contains("auth.layer()"), "the fix: {body}");
    assert!(
        !body.contains("auth_runtime::") && !body.contains("SessionUser"),
        "no internal type: {body}"
    );
}

#[test]
fn short_secrets_are_refused_at_start_up() {
    let e = Auth::new(plain_config().with_secrets(["too-short-secret"])).unwrap_err();
    assert_eq!(e, ConfigError::WeakSecret { index: 0, len: 16 });
    assert!(e.to_string().contains("at least 32"), "{e}");
    // A rotated-out secret counts too.
    let long = "a-secret-that-is-long-enough-0123456789";
    let e = Auth::new(plain_config().with_secrets([long, "short"])).unwrap_err();
    assert_eq!(e, ConfigError::WeakSecret { index: 1, len: 5 });
    // 32 bytes is enough.
    Auth::new(plain_config().with_secrets(["0123456789abcdef0123456789abcdef"])).unwrap();
}

#[test]
fn config_error_debug_is_the_message() {
    fn main_like() -> Result<(), Box<dyn std::error::Error>> {
        Auth::new(plain_config().with_secrets(["short"]))?;
        Ok(())
    }
    // What the standard library's `Termination` prints: `Error: {err:?}`.
    let printed = format!("Error: {:?}", main_like().unwrap_err());
    assert!(printed.contains("secret #0 is 5 bytes"), "{printed}");
    assert!(!printed.contains("WeakSecret"), "{printed}");
    assert_eq!(
        format!("{:?}", ConfigError::MissingSecret),
        ConfigError::MissingSecret.to_string()
    );
}

/// Collects the messages of error events.
#[derive(Clone, Default)]
struct Errors(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

struct Message<'a>(&'a mut String);

impl tracing::field::Visit for Message<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Errors {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() == tracing::Level::ERROR {
            let mut line = String::new();
            event.record(&mut Message(&mut line));
            self.0.lock().unwrap().push(line);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// `.nest("/api/auth", auth.routes())` does not compile (`AuthRoutes` is no `Router`; the
/// UI case `fail/nest-auth-routes.rs`). Converted first, the nested flow is served at
/// `/api/auth/api/auth/..`: the first request under the base path that the flow did not
/// answer logs the fix, once (the backstop).
#[tokio::test(flavor = "current_thread")]
async fn nested_routes_log_the_fix() {
    let errors = Errors::default();
    let _guard = tracing::subscriber::set_default(errors.clone());
    let auth = auth(&Counters::default());
    let app: Router = Router::new()
        .route("/me", get(me))
        .nest("/api/auth", Router::from(auth.routes()))
        .layer(auth.layer());
    for _ in 0..2 {
        let response = send(&app, req("/api/auth/csrf", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let logged = errors.0.lock().unwrap().clone();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(logged[0].contains(".merge(auth.routes())"), "{logged:?}");

    // Merged: the flow answers, nothing is logged; a 404 of the flow itself is no mistake.
    let errors = Errors::default();
    let _guard = tracing::subscriber::set_default(errors.clone());
    let app: Router = Router::new()
        .route("/me", get(me))
        .merge(auth.routes())
        .layer(auth.layer());
    let response = send(&app, req("/api/auth/csrf", &Jar::default())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(errors.0.lock().unwrap().is_empty());
}

/// actix-web: a `Session` without `.wrap(auth.middleware())` answers 500 naming that fix
/// (no internal type), and an `Option<Session>`, which actix-web turns into `None`, logs
/// it; so does a guard wrapped outside the middleware.
#[test]
fn actix_missing_middleware_names_the_fix() {
    use actix_web::{App, web};
    use auth_tests::actix_app::{get, run, send};

    async fn maybe(session: Option<Session>) -> &'static str {
        if session.is_some() { "in" } else { "out" }
    }

    let errors = Errors::default();
    let _guard = tracing::subscriber::set_default(errors.clone());
    run(async {
        let auth = auth(&Counters::default());
        let app = actix_web::test::init_service(
            App::new()
                .route("/me", web::get().to(me))
                .route("/maybe", web::get().to(maybe))
                .service(auth.scope()),
        )
        .await;
        let response = send(&app, get("/me", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = response.body();
        assert!(body.contains(".wrap(auth.middleware())"), "the fix: {body}");
        assert!(
            !body.contains("auth_runtime::") && !body.contains("SessionUser"),
            "no internal type: {body}"
        );
        let logged = errors.0.lock().unwrap().clone();
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert!(logged[0].contains("auth.middleware()"), "{logged:?}");

        let response = send(&app, get("/maybe", &Jar::default())).await;
        assert_eq!(response.body(), "out");
        let logged = errors.0.lock().unwrap().clone();
        assert_eq!(logged.len(), 2, "the hidden mistake is logged: {logged:?}");

        // The guard outside the middleware (actix-web runs the last `wrap` first).
        let app = actix_web::test::init_service(
            App::new()
                .route("/me", web::get().to(me))
                .wrap(auth.middleware())
                .wrap(auth.require_session()),
        )
        .await;
        let response = send(&app, get("/me", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            response.body().contains("after (outside)"),
            "{}",
            response.body()
        );
    });
}

/// actix-web: `auth.scope()` inside a `web::scope("/api/auth")` serves the flow at
/// `/api/auth/api/auth/..`; the first request under the base path that the flow did not
/// answer logs the fix, once. Registered on the `App`, nothing is logged.
#[test]
fn actix_nested_scope_logs_the_fix() {
    use actix_web::{App, web};
    use auth_tests::actix_app::{get, run, send};

    let errors = Errors::default();
    let _guard = tracing::subscriber::set_default(errors.clone());
    run(async {
        let auth = auth(&Counters::default());
        let app = actix_web::test::init_service(
            App::new()
                .service(web::scope("/api/auth").service(auth.scope()))
                .wrap(auth.middleware()),
        )
        .await;
        for _ in 0..2 {
            let response = send(&app, get("/api/auth/csrf", &Jar::default())).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
        }
        let logged = errors.0.lock().unwrap().clone();
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert!(logged[0].contains(".service(auth.scope())"), "{logged:?}");
    });

    let errors = Errors::default();
    let _guard = tracing::subscriber::set_default(errors.clone());
    run(async {
        let auth = auth(&Counters::default());
        let app =
            actix_web::test::init_service(App::new().service(auth.scope()).wrap(auth.middleware()))
                .await;
        let response = send(&app, get("/api/auth/csrf", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::OK);
        // An unknown action: the flow's own answer, no mistake.
        let response = send(&app, get("/api/auth/nothing-here", &Jar::default())).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(errors.0.lock().unwrap().is_empty());
    });
}
