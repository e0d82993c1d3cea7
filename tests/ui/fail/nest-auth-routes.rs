// `auth.routes()` carries the base path: `nest` would serve it at `/api/auth/api/auth/..`.
// `Router::nest` takes a `Router` and `AuthRoutes` is none (`merge` converts it).
mod auth {
    auth_runtime::auth! {}
}

fn app(auth: &auth::Auth) -> axum::Router {
    axum::Router::new().nest("/api/auth", auth.routes())
}

fn main() {
    let _ = app;
}
