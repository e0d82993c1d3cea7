//! [`CsrfRejection`]: why `CsrfToken` or `CsrfForm` refused a request, answered the same
//! way under both frameworks.

use std::fmt;

use http::{HeaderValue, Response, StatusCode, header};

use super::{Framework, MAX_FORM};

/// Why `CsrfToken` or `CsrfForm` refused a request.
#[derive(Debug)]
pub struct CsrfRejection {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    MissingLayer(Framework),
    UntrustedHost,
    Forbidden(&'static str),
    TooLarge,
    /// The framework's form extractor refused the body: its status and text.
    Form {
        status: StatusCode,
        body: String,
    },
}

impl CsrfRejection {
    pub(crate) fn missing_layer(framework: Framework) -> Self {
        CsrfRejection {
            kind: Kind::MissingLayer(framework),
        }
    }

    pub(crate) fn untrusted_host() -> Self {
        CsrfRejection {
            kind: Kind::UntrustedHost,
        }
    }

    pub(crate) fn forbidden(reason: &'static str) -> Self {
        CsrfRejection {
            kind: Kind::Forbidden(reason),
        }
    }

    pub(crate) fn too_large() -> Self {
        CsrfRejection {
            kind: Kind::TooLarge,
        }
    }

    pub(crate) fn form(status: StatusCode, body: String) -> Self {
        CsrfRejection {
            kind: Kind::Form { status, body },
        }
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            Kind::MissingLayer(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::UntrustedHost => StatusCode::BAD_REQUEST,
            Kind::Forbidden(_) => StatusCode::FORBIDDEN,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Form { status, .. } => *status,
        }
    }

    /// The answer (plain text), for the framework to convert; a wiring mistake is logged as
    /// an error, a failed check at `info`.
    pub(crate) fn to_response(&self) -> Response<String> {
        let message = self.to_string();
        let body = match &self.kind {
            Kind::Form { body, .. } => body.clone(),
            Kind::MissingLayer(_) => {
                tracing::error!("{message}");
                "the server could not complete the request; see the server log".to_owned()
            }
            Kind::Forbidden(reason) => {
                tracing::info!(reason, "form refused: CSRF check failed (403)");
                message
            }
            _ => message,
        };
        let mut response = Response::new(body);
        *response.status_mut() = self.status();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

impl fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::MissingLayer(framework) => write!(
                f,
                "no auth context for the CSRF extractors in this request: {}",
                framework.missing_layer_fix()
            ),
            Kind::UntrustedHost => f.write_str("the request's host is missing or not trusted"),
            Kind::Forbidden(_) => f.write_str(
                "the form's CSRF token is missing or does not match; reload the page and submit \
                 the form again",
            ),
            Kind::TooLarge => write!(f, "the form is larger than {MAX_FORM} bytes"),
            Kind::Form { .. } => f.write_str("the form could not be read"),
        }
    }
}

impl std::error::Error for CsrfRejection {}
