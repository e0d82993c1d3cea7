//! The service's clock (`Auth::with_clock`, `testing::TestClock`): sessions expire by it,
//! under both strategies, without sleeping.

use std::time::Duration;

use auth_runtime::Auth;
use auth_runtime::config::SessionStrategy;
use auth_runtime::testing::TestClock;
use auth_tests::flow::{Browser, auth, plain_config};

const MAX_AGE: u64 = 3600;

#[tokio::test]
async fn a_jwt_session_expires_by_the_test_clock() {
    let clock = TestClock::new();
    let auth = auth(plain_config().__max_age(MAX_AGE)).with_clock(clock.clone());
    let mut browser = Browser::new(auth);
    browser.sign_in("ada", None).await;
    assert_eq!(browser.session().await["user"]["name"], "ada");

    clock.advance(Duration::from_secs(MAX_AGE - 60));
    assert_eq!(
        browser.session().await["user"]["name"],
        "ada",
        "alive before its max_age (and rolled forward)"
    );
    // Past the rolled expiry and jose's 15 s clock tolerance.
    clock.advance(Duration::from_secs(MAX_AGE + 16));
    assert_eq!(browser.session().await, serde_json::Value::Null);
}

#[tokio::test]
async fn a_database_session_expires_by_the_test_clock() {
    let (db, _file) = auth_tests::sqlite::adapter("clock").await;
    let clock = TestClock::new();
    let config = plain_config()
        .__strategy(SessionStrategy::Database)
        .__max_age(MAX_AGE);
    let auth = Auth::with_adapter(config, db)
        .unwrap_or_else(|e| panic!("Auth::with_adapter: {e}"))
        .with_clock(clock.clone());
    let mut browser = Browser::new(auth);
    browser.sign_in("ada", None).await;
    assert_eq!(browser.session().await["user"]["name"], "ada");

    clock.advance(Duration::from_secs(MAX_AGE + 1));
    assert_eq!(browser.session().await, serde_json::Value::Null);
}
