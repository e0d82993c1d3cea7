//! Every integration test, in one binary (one link of the runtime instead of one per
//! file): one module per area, named as `cargo test -p auth-tests --test it <module>::`
//! selects it. What several modules share lives in the `auth-tests` library (`tests/src`).
//!
//! Needs the peers `scripts/setup` installs and starts (Node packages, Chromium,
//! PostgreSQL); a test whose peer is missing fails and says so.

mod actix_app;
mod adapter_postgres;
mod adapter_sqlite;
mod app_mistakes;
mod authjs_db_interop;
mod authjs_email_interop;
mod axum_csrf;
mod axum_extractors;
mod axum_guards;
mod axum_readme;
mod axum_request;
mod axum_server_ops;
mod browser;
mod browser_passkeys;
mod clock;
mod db_postgres;
mod db_sqlite;
mod email_signin;
mod example_app;
mod flow_bad_input;
mod flow_endpoints;
mod flow_host;
mod flow_interop;
mod flow_jws;
mod flow_macro;
mod flow_matrix;
mod flow_oauth;
mod flow_pages;
mod flow_panics;
mod flow_tracing;
mod hostile;
mod interop_codec;
mod limits;
mod macro_config;
mod macro_credentials;
mod macro_forms;
mod macro_session;
mod macro_state;
mod macro_user;
mod oauth_flow;
mod oauth_local;
mod oauth_oidc;
mod oauth_presets;
mod oauth_refresh_flow;
mod passkey;
mod readme;
mod second_factor;
mod session_reissue;
mod session_revocation;
mod testing_kit;
