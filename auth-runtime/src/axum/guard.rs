//! Layers that protect a group of routes: `auth.require_session()` and `require(..)`.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ::axum::response::{IntoResponse, Response};
use http::Request;
use tower::{Layer, Service};

use super::extract::{require_session_of, session_amr_of};
use super::layer::route_path;
use crate::Auth;
use crate::config::{Session, SessionUserData, TokenData};

type Predicate<U> = Arc<dyn Fn(&Session<U>) -> bool + Send + Sync>;

/// A layer that refuses signed-out requests to the routes it wraps (401 JSON, or a redirect
/// to the sign-in page for a browser) and, built with [`require`], signed-in requests whose
/// session fails a check (403).
///
/// Use it with `Router::route_layer`, inside [`Auth::layer`]:
///
/// ```ignore
/// let app = Router::new()
///     .route("/dashboard", get(dashboard))
///     .route("/health", get(health))
///     .route_layer(auth.require_session().except("/health"))
///     .route("/", get(home))          // added after `route_layer`: not protected either
///     .merge(auth.routes())
///     .layer(auth.layer());
/// ```
pub struct RequireSession<U> {
    predicate: Option<Predicate<U>>,
    except: Arc<[String]>,
    /// The session must have passed the second factor (`amr` holds `otp`).
    second_factor: bool,
}

impl<U> Clone for RequireSession<U> {
    fn clone(&self) -> Self {
        RequireSession {
            predicate: self.predicate.clone(),
            except: self.except.clone(),
            second_factor: self.second_factor,
        }
    }
}

impl<U> fmt::Debug for RequireSession<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequireSession")
            .field("check", &self.predicate.is_some())
            .field("except", &self.except)
            .field("second_factor", &self.second_factor)
            .finish()
    }
}

impl<U> RequireSession<U> {
    /// Leaves this route public: `path` is the route pattern as declared (`"/health"`,
    /// `"/users/{id}"`), with any `nest` prefix. Call it once per public route.
    pub fn except(self, path: impl Into<String>) -> Self {
        let mut except: Vec<String> = self.except.iter().cloned().collect();
        except.push(path.into());
        RequireSession {
            predicate: self.predicate,
            except: except.into(),
            second_factor: self.second_factor,
        }
    }

    /// Also requires that the session passed the second factor (its `amr` holds `"otp"`:
    /// a credentials sign-in verified with a TOTP or recovery code); other sessions are
    /// refused with 403. Same as [`Auth::require_second_factor`].
    pub fn second_factor(mut self) -> Self {
        self.second_factor = true;
        self
    }
}

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// A layer that requires a signed-in session on every route it wraps (see
    /// [`RequireSession`]); needs [`Auth::layer`] around it.
    pub fn require_session(&self) -> RequireSession<U> {
        RequireSession {
            predicate: None,
            except: Arc::from([]),
            second_factor: false,
        }
    }

    /// A layer that requires a signed-in session that passed the second factor
    /// (`second_factor: { totp: .. }`; the session's `amr` holds `"otp"`) on every route
    /// it wraps: signed out is refused as [`Auth::require_session`] refuses it, signed in
    /// without the second factor with 403 (send the user to `{base_path}/totp/enroll`).
    pub fn require_second_factor(&self) -> RequireSession<U> {
        self.require_session().second_factor()
    }
}

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// [`require`] as a method: the closure's argument is this `Auth`'s session type, so
    /// it needs no annotation:
    ///
    /// ```ignore
    /// .route_layer(auth.require(|s| s.user.role.as_deref() == Some("admin")))
    /// ```
    pub fn require<F>(&self, check: F) -> RequireSession<U>
    where
        F: Fn(&Session<U>) -> bool + Send + Sync + 'static,
    {
        require(check)
    }
}

/// A layer that requires a signed-in session passing `check` (403 otherwise), for role
/// checks on the typed session (the method [`Auth::require`] needs no annotation):
///
/// ```ignore
/// .route_layer(require(|s: &auth::Session| s.user.role.as_deref() == Some("admin")))
/// ```
pub fn require<U, F>(check: F) -> RequireSession<U>
where
    F: Fn(&Session<U>) -> bool + Send + Sync + 'static,
{
    RequireSession {
        predicate: Some(Arc::new(check)),
        except: Arc::from([]),
        second_factor: false,
    }
}

impl<S, U> Layer<S> for RequireSession<U> {
    type Service = RequireSessionService<S, U>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireSessionService {
            inner,
            guard: self.clone(),
        }
    }
}

/// The service of [`RequireSession`].
pub struct RequireSessionService<S, U> {
    inner: S,
    guard: RequireSession<U>,
}

impl<S: Clone, U> Clone for RequireSessionService<S, U> {
    fn clone(&self) -> Self {
        RequireSessionService {
            inner: self.inner.clone(),
            guard: self.guard.clone(),
        }
    }
}

impl<S, U, B> Service<Request<B>> for RequireSessionService<S, U>
where
    S: Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    U: SessionUserData,
    B: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone is not ready; the one that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let guard = self.guard.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            if !guard.except.is_empty() {
                let path = route_path(&parts);
                if guard.except.contains(&path) {
                    return inner.call(Request::from_parts(parts, body)).await;
                }
            }
            let session = match require_session_of::<U>(&parts).await {
                Ok(session) => session,
                Err(rejection) => return Ok(rejection.into_response()),
            };
            if let Some(check) = &guard.predicate
                && !check(&session)
            {
                tracing::debug!(path = %route_path(&parts), "require: the session failed the check (403)");
                return Ok(super::SessionRejection::forbidden(&parts).into_response());
            }
            if guard.second_factor {
                let amr = match session_amr_of::<U>(&parts).await {
                    Ok(amr) => amr,
                    Err(rejection) => return Ok(rejection.into_response()),
                };
                if !amr.iter().any(|m| m == "otp") {
                    tracing::debug!(path = %route_path(&parts), "require: the session did not pass the second factor (403)");
                    return Ok(super::SessionRejection::forbidden(&parts).into_response());
                }
            }
            inner.call(Request::from_parts(parts, body)).await
        })
    }
}
