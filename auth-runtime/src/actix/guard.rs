//! [`RequireSession`] (`auth.require_session()`, `auth.require(..)`, shared with axum) as
//! an actix-web middleware protecting a scope.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;

use actix_web::HttpMessage as _;
use actix_web::ResponseError as _;
use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};

use super::convert::request_parts;
use crate::config::SessionUserData;
use crate::integration::context::SessionHandle;
use crate::integration::{Framework, RequireSession};

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// `.wrap(auth.require_session())` / `.wrap(auth.require(..))` on a scope (or the `App`),
/// inside [`Auth::middleware`](crate::Auth::middleware).
impl<S, B, U> Transform<S, ServiceRequest> for RequireSession<U>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
    U: SessionUserData,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = RequireSessionMiddleware<S, U>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireSessionMiddleware {
            service: Rc::new(service),
            guard: self.clone(),
        }))
    }
}

/// The actix-web service of [`RequireSession`].
pub struct RequireSessionMiddleware<S, U> {
    service: Rc<S>,
    guard: RequireSession<U>,
}

impl<S, B, U> Service<ServiceRequest> for RequireSessionMiddleware<S, U>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
    U: SessionUserData,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let guard = self.guard.clone();
        Box::pin(async move {
            let handle = request.extensions().get::<SessionHandle<U>>().cloned();
            let parts = request_parts(request.request());
            let route = || {
                request
                    .match_pattern()
                    .unwrap_or_else(|| request.path().to_owned())
            };
            match guard.admit(handle, &parts, route, Framework::Actix).await {
                Ok(()) => Ok(service.call(request).await?.map_into_left_body()),
                Err(rejection) => {
                    rejection.log();
                    let response = rejection.error_response();
                    Ok(request.into_response(response).map_into_right_body())
                }
            }
        })
    }
}
