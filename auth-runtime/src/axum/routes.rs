//! Mounting the REST flow in an axum `Router`.

use ::axum::Router;
use ::axum::body::{Body, to_bytes};
use ::axum::extract::{OriginalUri, Request};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::any;
use http::{StatusCode, header};

use crate::Auth;
use crate::config::{SessionUserData, TokenData};

/// The largest request body `routes()` buffers; the flow then refuses anything over 64 KiB
/// with `413` (forms and `POST /session` JSON are far smaller).
const MAX_BODY: usize = 1024 * 1024;

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// The routes of the Auth.js flow, at the configured base path (default `/api/auth`):
    /// `app.merge(auth.routes())`.
    ///
    /// Merge (do not `nest`) them: the routes already carry the base path, so
    /// `with_base_path("/auth")` (or `base_path` in `auth!`) moves them in one place.
    /// `.nest("/api/auth", auth.routes())` would serve them at `/api/auth/api/auth/..`:
    /// [`Auth::layer`] logs an error naming the fix on the first request under the base
    /// path that the flow did not answer.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let base = self.config().base_path().trim_end_matches('/').to_owned();
        let auth = self.clone();
        let handler = move |request: Request| {
            let auth = auth.clone();
            async move { serve(&auth, request).await }
        };
        let router = Router::new().route(&format!("{base}/{{*rest}}"), any(handler.clone()));
        if base.is_empty() {
            router
        } else {
            router.route(&base, any(handler))
        }
    }
}

async fn serve<T: TokenData, U: SessionUserData>(auth: &Auth<T, U>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    // The flow sees the path the client asked for, whatever router this is merged into.
    if let Some(OriginalUri(uri)) = parts.extensions.get::<OriginalUri>() {
        parts.uri = uri.clone();
    }
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    }
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (
                StatusCode::BAD_REQUEST,
                "could not read the request body (at most 1 MiB)",
            )
                .into_response();
        }
    };
    let mut response = auth
        .handle(http::Request::from_parts(parts, body))
        .await
        .map(Body::from);
    response.extensions_mut().insert(FlowAnswered);
    response
}

/// Marks a response of the flow, so that [`Auth::layer`] can tell a request under the base
/// path that never reached `routes()` (a `nest`, or no `merge`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FlowAnswered;
