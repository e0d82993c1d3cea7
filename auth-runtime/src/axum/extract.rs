//! Extractors: `Session<U>`, `Option<Session<U>>`, `Claims<T>`; their rejection,
//! [`SessionRejection`] (shared with actix-web), answers as an axum response.

use ::axum::body::Body;
use ::axum::extract::{FromRequestParts, OptionalFromRequestParts};
use ::axum::response::{IntoResponse, Response};
use http::request::Parts;

use crate::config::{Session, SessionUserData, TokenData};
use crate::integration::context::{
    ClaimsHandle, SessionHandle, claims_of, require_claims_of, require_session_of, session_of,
};
use crate::integration::{Claims, Framework, SessionRejection};

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        self.log();
        self.to_response().map(Body::from)
    }
}

/// The signed-in user's session; a signed-out request is refused with
/// [`SessionRejection`] (401 JSON, or a redirect to the sign-in page for a browser).
impl<S: Send + Sync, U: SessionUserData> FromRequestParts<S> for Session<U> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let handle = parts.extensions.get::<SessionHandle<U>>().cloned();
        require_session_of(handle, parts, Framework::Axum).await
    }
}

/// `Option<Session>`: `None` when signed out (rejects only when the layer is missing).
impl<S: Send + Sync, U: SessionUserData> OptionalFromRequestParts<S> for Session<U> {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let handle = parts.extensions.get::<SessionHandle<U>>().cloned();
        session_of(handle, parts, Framework::Axum).await
    }
}

impl<S: Send + Sync, T: TokenData> FromRequestParts<S> for Claims<T> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let handle = parts.extensions.get::<ClaimsHandle<T>>().cloned();
        require_claims_of(handle, parts, Framework::Axum).await
    }
}

impl<S: Send + Sync, T: TokenData> OptionalFromRequestParts<S> for Claims<T> {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let handle = parts.extensions.get::<ClaimsHandle<T>>().cloned();
        claims_of(handle, parts, Framework::Axum).await
    }
}
