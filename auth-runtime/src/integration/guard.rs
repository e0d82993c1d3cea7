//! The guard for a group of routes, `auth.require_session()` / `auth.require(..)`: one type
//! for both frameworks (a tower `Layer` under axum, a `Transform` middleware under
//! actix-web), one decision.

use std::fmt;
use std::sync::Arc;

use http::request::Parts;

use super::context::{SessionHandle, require_session_of};
use super::{Framework, SessionRejection};
use crate::Auth;
use crate::config::{Session, SessionUserData, TokenData};

type Predicate<U> = Arc<dyn Fn(&Session<U>) -> bool + Send + Sync>;

/// A guard that refuses signed-out requests to the routes it wraps (401 JSON, or a redirect
/// to the sign-in page for a browser) and, built with [`require`], signed-in requests whose
/// session fails a check (403).
///
/// Under axum, use it with `Router::route_layer`, inside [`Auth::layer`](crate::Auth):
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
///
/// Under actix-web, `wrap` a scope (or the `App`) with it, inside `Auth::middleware`:
///
/// ```ignore
/// App::new()
///     .service(web::scope("/admin").wrap(auth.require(|s| s.user.role == "admin")).route(..))
///     .service(auth.scope())
///     .wrap(auth.middleware())
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
    /// `"/users/{id}"`), with any `nest` (axum) or `scope` (actix-web) prefix. Call it once
    /// per public route.
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

impl<U: SessionUserData> RequireSession<U> {
    /// Lets the request through (`Ok`) or answers the refusal: `route` gives the matched
    /// route pattern, asked only when there are exceptions or a check fails.
    pub(crate) async fn admit(
        &self,
        handle: Option<SessionHandle<U>>,
        parts: &Parts,
        route: impl Fn() -> String,
        framework: Framework,
    ) -> Result<(), SessionRejection> {
        if !self.except.is_empty() && self.except.contains(&route()) {
            return Ok(());
        }
        let amr_source = if self.second_factor {
            handle.clone()
        } else {
            None
        };
        let session = require_session_of::<U>(handle, parts, framework).await?;
        if let Some(check) = &self.predicate
            && !check(&session)
        {
            tracing::debug!(path = %route(), "require: the session failed the check (403)");
            return Err(SessionRejection::forbidden(parts));
        }
        if let Some(handle) = amr_source {
            let amr = handle.0.amr(parts).await?;
            if !amr.iter().any(|m| m == "otp") {
                tracing::debug!(path = %route(), "require: the session did not pass the second factor (403)");
                return Err(SessionRejection::forbidden(parts));
            }
        }
        Ok(())
    }
}

impl<T: TokenData, U: SessionUserData> Auth<T, U> {
    /// A guard that requires a signed-in session on every route it wraps (see
    /// [`RequireSession`]); needs the per-request layer around it ([`Auth::layer`] under
    /// axum, `Auth::middleware` under actix-web).
    pub fn require_session(&self) -> RequireSession<U> {
        RequireSession {
            predicate: None,
            except: Arc::from([]),
            second_factor: false,
        }
    }

    /// A guard that requires a signed-in session that passed the second factor
    /// (`second_factor: { totp: .. }`; the session's `amr` holds `"otp"`) on every route
    /// it wraps: signed out is refused as [`Auth::require_session`] refuses it, signed in
    /// without the second factor with 403 (send the user to `{base_path}/totp/enroll`).
    pub fn require_second_factor(&self) -> RequireSession<U> {
        self.require_session().second_factor()
    }

    /// [`require`] as a method: the closure's argument is this `Auth`'s session type, so
    /// it needs no annotation:
    ///
    /// ```ignore
    /// .route_layer(auth.require(|s| s.user.role.as_deref() == Some("admin")))  // axum
    /// .wrap(auth.require(|s| s.user.role.as_deref() == Some("admin")))         // actix-web
    /// ```
    pub fn require<F>(&self, check: F) -> RequireSession<U>
    where
        F: Fn(&Session<U>) -> bool + Send + Sync + 'static,
    {
        require(check)
    }
}

/// A guard that requires a signed-in session passing `check` (403 otherwise), for role
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
