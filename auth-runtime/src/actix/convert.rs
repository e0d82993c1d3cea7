//! actix-web 4 is on `http` 0.2, the flow on `http` 1: a request's head is copied into
//! `http::request::Parts` (the peer address as [`ClientAddr`]), an answer back into an
//! `HttpResponse`.

use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::http::StatusCode as ActixStatus;
use actix_web::http::header::{HeaderName as ActixName, HeaderValue as ActixValue};
use bytes::Bytes;
use http::request::Parts;

use crate::ClientAddr;

/// The head of an actix-web request as the `http::request::Parts` that
/// [`Auth::session`](crate::Auth::session), [`Auth::sign_in`](crate::Auth::sign_in),
/// [`Auth::sign_out`](crate::Auth::sign_out) and [`Auth::update_session`](crate::Auth::update_session)
/// take: method, URI, version, headers, and the connection's peer as [`ClientAddr`].
///
/// ```ignore
/// async fn register(req: HttpRequest, auth: web::Data<auth::Auth>) -> actix_web::Result<HttpResponse> {
///     let change = auth.sign_up(&request_parts(&req), User::new("42")).await?;
///     let mut response = HttpResponse::SeeOther().insert_header(("Location", "/")).finish();
///     change.apply_to_actix(response.headers_mut());
///     Ok(response)
/// }
/// ```
pub fn request_parts(request: &HttpRequest) -> Parts {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    // The values actix-web parsed are valid for `http` 1 as well; the fallbacks are not
    // reached.
    parts.method =
        http::Method::from_bytes(request.method().as_str().as_bytes()).unwrap_or(http::Method::GET);
    parts.uri = request
        .uri()
        .to_string()
        .parse()
        .unwrap_or_else(|_| http::Uri::from_static("/"));
    parts.version = match request.version() {
        actix_web::http::Version::HTTP_09 => http::Version::HTTP_09,
        actix_web::http::Version::HTTP_10 => http::Version::HTTP_10,
        actix_web::http::Version::HTTP_2 => http::Version::HTTP_2,
        actix_web::http::Version::HTTP_3 => http::Version::HTTP_3,
        _ => http::Version::HTTP_11,
    };
    for (name, value) in request.headers() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_str().as_bytes()),
            http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            parts.headers.append(name, value);
        }
    }
    if let Some(peer) = request.peer_addr() {
        parts.extensions.insert(ClientAddr::from(peer));
    }
    parts
}

/// An `http` 1 response (the flow's, a rejection's) as an actix-web `HttpResponse`.
pub(crate) fn into_actix<B: Into<Bytes>>(response: http::Response<B>) -> HttpResponse {
    let (parts, body) = response.into_parts();
    let status =
        ActixStatus::from_u16(parts.status.as_u16()).unwrap_or(ActixStatus::INTERNAL_SERVER_ERROR);
    let mut out = HttpResponse::with_body(status, body.into()).map_into_boxed_body();
    append_headers(out.headers_mut(), &parts.headers);
    out
}

/// Appends `http` 1 headers to an actix-web header map.
pub(crate) fn append_headers(to: &mut actix_web::http::header::HeaderMap, from: &http::HeaderMap) {
    for (name, value) in from {
        if let (Ok(name), Ok(value)) = (
            ActixName::from_bytes(name.as_str().as_bytes()),
            ActixValue::from_bytes(value.as_bytes()),
        ) {
            to.append(name, value);
        }
    }
}
