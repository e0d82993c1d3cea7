//! The application test kit (`auth_runtime::testing`): minted cookies read as signed in
//! through the `Session` extractor under both strategies; `TestClient` signs in through
//! the mounted flow.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use auth_runtime::testing::{
    TestClient, TestError, session_cookie_for_token, session_cookie_for_user,
};
use auth_runtime::{SessionError, User};
use auth_tests::Cleanup as _;
use axum::Router;
use axum::routing::get;
use http::StatusCode;

mod jwt {
    use super::*;
    use auth_tests::axum_app::{Counters, Session, Token, auth};

    async fn me(session: Session) -> String {
        format!("{}:{}", session.user.id, session.user.role)
    }

    fn app() -> (
        Router,
        auth_runtime::Auth<Token, auth_tests::axum_app::SessionUser>,
    ) {
        let auth = auth(&Counters::default());
        let app = Router::new()
            .route("/me", get(me))
            .merge(auth.routes())
            .layer(auth.layer());
        (app, auth)
    }

    #[tokio::test]
    async fn minted_user_and_token_cookies_read_as_signed_in() {
        let (app, auth) = app();
        let cookie = session_cookie_for_user(&auth, User::new("1").with_name("Ada"))
            .await
            .unwrap();
        let mut client = TestClient::new(app.clone()).with_cookie_header(&cookie);
        let response = client.get("/me").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "1:admin", "jwt ran with the user");

        let token = Token {
            sub: Some("7".to_owned()),
            role: "editor".to_owned(),
            ..Token::default()
        };
        let cookie = session_cookie_for_token(&auth, &token).unwrap();
        let mut client = TestClient::new(app.clone()).with_cookie_header(&cookie);
        assert_eq!(client.get("/me").await.body(), "7:editor");

        let mut stranger = TestClient::new(app);
        assert_eq!(stranger.get("/me").await.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn client_signs_in_through_the_flow() {
        let (app, _auth) = app();
        let mut client = TestClient::new(app.clone());
        client
            .sign_in(
                "credentials",
                &[("username", "alice"), ("password", "alice-pw")],
            )
            .await
            .unwrap();
        assert_eq!(client.get("/me").await.body(), "2:user");
        assert!(client.cookie_header().contains("authjs.session-token="));

        let mut wrong = TestClient::new(app);
        let e = wrong
            .sign_in(
                "credentials",
                &[("username", "alice"), ("password", "nope")],
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&e, TestError::Refused(l) if l.contains("CredentialsSignin")),
            "{e}"
        );
        assert_eq!(wrong.get("/me").await.status(), StatusCode::UNAUTHORIZED);
    }
}

mod database {
    use super::*;
    use auth_tests::db_suite::app;
    use auth_tests::flow::{SUser, Tok};

    async fn me(session: auth_runtime::Session<SUser>) -> String {
        session.user.id.unwrap_or_default()
    }

    #[tokio::test]
    async fn minted_cookie_reads_as_signed_in() {
        let (db, guard) = auth_tests::sqlite::adapter("testing_kit").await;
        let auth = app(&db, Arc::default(), Vec::new());
        let router = Router::new()
            .route("/me", get(me))
            .merge(auth.routes())
            .layer(auth.layer());
        let cookie = session_cookie_for_user(&auth, User::new("id-kim").with_name("kim"))
            .await
            .unwrap();
        let mut client = TestClient::new(router.clone()).with_cookie_header(&cookie);
        assert_eq!(client.get("/me").await.body(), "id-kim");
        assert_eq!(db.list_user_sessions("id-kim").await.unwrap().len(), 1);

        // No token under the database strategy.
        let e = session_cookie_for_token(&auth, &Tok::default()).unwrap_err();
        assert!(matches!(e, SessionError::Failed(_)), "{e}");

        // And the flow's own sign-in through the client.
        let mut client = TestClient::new(router);
        client
            .sign_in("credentials", &[("username", "lee"), ("password", "pw")])
            .await
            .unwrap();
        assert_eq!(client.get("/me").await.body(), "id-lee");
        guard.cleanup().await;
    }
}
