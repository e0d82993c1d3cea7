//! Events (Auth.js's `events`): fire and forget. Each handler runs in its own tokio task
//! (skipped, with a warning, outside a tokio runtime), so it never delays the response; an `Err` or a
//! panic is logged and changes nothing.

use crate::config::{EventError, EventFn};

/// Runs `handler(args)` without waiting for it.
pub(crate) fn fire<A: Send + 'static>(name: &'static str, handler: Option<&EventFn<A>>, args: A) {
    let Some(handler) = handler else {
        return;
    };
    #[cfg(any(
        feature = "axum",
        feature = "actix",
        feature = "sqlite",
        feature = "postgres"
    ))]
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(run(name, handler(args)));
        return;
    }
    // Without tokio the handler cannot be spawned; nothing runs.
    let _ = (handler, args);
    tracing::warn!(
        event = name,
        "event skipped: events run on a tokio runtime (enable the `axum`, `actix`, `sqlite` or `postgres` feature and serve from tokio)"
    );
}

#[cfg_attr(
    not(any(
        feature = "axum",
        feature = "actix",
        feature = "sqlite",
        feature = "postgres"
    )),
    allow(dead_code)
)]
async fn run(name: &'static str, future: crate::config::BoxFuture<Result<(), EventError>>) {
    use futures_util::FutureExt as _;
    match std::panic::AssertUnwindSafe(future).catch_unwind().await {
        Ok(Ok(())) => tracing::debug!(event = name, "event ran"),
        Ok(Err(e)) => tracing::error!(event = name, error = %e, "event failed (ignored)"),
        Err(_) => tracing::error!(event = name, "event panicked (ignored)"),
    }
}
