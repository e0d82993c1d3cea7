//! Mounting the REST flow in an axum `Router`.

use ::axum::Router;
use ::axum::body::{Body, HttpBody as _, to_bytes};
use ::axum::extract::{OriginalUri, Request};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::any;
use bytes::Bytes;
use http::{StatusCode, header};

use crate::Auth;
use crate::config::{SessionUserData, TokenData};
use crate::integration::{FlowAnswered, MAX_BODY};

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// The routes of the Auth.js flow, at the configured base path (default `/api/auth`):
    /// `app.merge(auth.routes())`.
    ///
    /// Merge (do not `nest`) them: the routes already carry the base path, so
    /// `with_base_path("/auth")` (or `base_path` in `auth!`) moves them in one place. The
    /// answer is an [`AuthRoutes`], which `Router::merge` takes and `Router::nest` does
    /// not, so the mistake does not compile; see there.
    pub fn routes(&self) -> AuthRoutes<T, U> {
        AuthRoutes { auth: self.clone() }
    }
}

/// The Auth.js flow's routes, [`Auth::routes`]: give them to
/// [`Router::merge`](axum::Router::merge), which accepts anything that converts into a
/// `Router` (`app.merge(auth.routes())`), or convert them yourself
/// (`Router::from(auth.routes())`).
///
/// The routes already carry the base path (`/api/auth` unless `base_path` says
/// otherwise), so they are merged at the root of the application, never nested:
/// `.nest("/api/auth", auth.routes())` would serve them at `/api/auth/api/auth/..` and
/// every auth URL would be a 404. `Router::nest` takes a `Router`, not this type, so that
/// line does not compile:
///
/// ```compile_fail,E0308
/// # mod auth { auth_runtime::auth! {} }
/// # let auth = auth::Auth::new(auth::config().with_secrets(["a secret of at least thirty-two characters"]).with_url("http://localhost:3000")).unwrap();
/// let app: axum::Router = axum::Router::new().nest("/api/auth", auth.routes()); // use `.merge(auth.routes())`
/// ```
///
/// rustc suggests adding `.into()` there: that compiles, and every auth URL is then a 404;
/// write `.merge(auth.routes())` instead.
///
/// To serve the flow under another path, set the base path in the configuration
/// (`base_path: "/auth"` in `auth!`, or [`AuthConfig::with_base_path`](crate::AuthConfig::with_base_path)).
/// Should a nested router still reach the flow (`.nest(.., Router::from(auth.routes()))`),
/// [`Auth::layer`] logs an error naming the fix on the first request under the base path
/// that the flow did not answer.
#[must_use = "merge the routes into the application's router: `app.merge(auth.routes())`"]
pub struct AuthRoutes<T, U> {
    auth: Auth<T, U>,
}

impl<T: TokenData, U: SessionUserData> std::fmt::Debug for AuthRoutes<T, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthRoutes")
            .field("base_path", &self.auth.config().base_path())
            .finish()
    }
}

impl<T, U, S> From<AuthRoutes<T, U>> for Router<S>
where
    T: TokenData,
    U: SessionUserData,
    S: Clone + Send + Sync + 'static,
{
    /// The router serving `{base_path}` and `{base_path}/*` (the routes carry the base
    /// path: merge this router, do not nest it).
    fn from(routes: AuthRoutes<T, U>) -> Self {
        let auth = routes.auth;
        let base = auth.config().base_path().trim_end_matches('/').to_owned();
        let handler = move |request: Request| {
            let auth = auth.clone();
            // Boxed once here: the flow's future is several kilobytes, and axum's layers
            // would otherwise copy it each time they wrap it.
            Box::pin(async move { serve(&auth, request).await })
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
    // A request without a body (a `GET`) has nothing to collect.
    let body = if body.size_hint().exact() == Some(0) {
        Bytes::new()
    } else {
        match to_bytes(body, MAX_BODY).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return (
                    StatusCode::BAD_REQUEST,
                    "could not read the request body (at most 1 MiB)",
                )
                    .into_response();
            }
        }
    };
    let mut response = auth
        .handle(http::Request::from_parts(parts, body))
        .await
        .map(Body::from);
    // The layer looks for the mark only on a 404 (a flow that was not reached).
    if response.status() == StatusCode::NOT_FOUND {
        response.extensions_mut().insert(FlowAnswered);
    }
    response
}
