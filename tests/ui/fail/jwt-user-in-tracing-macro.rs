// `target:`, `?field`, `%field` and a first argument that is not the format string.
auth_runtime::auth! {
    callbacks: {
        jwt(token, user, account, profile, session) {
            tracing::info!(target: "auth", "{user:?}");
            tracing::info!(?account, "signed in");
            tracing::info!(%token.sub, email = %profile.unwrap().email.unwrap_or_default());
            tracing::event!(tracing::Level::INFO, "{session:?}");
            token
        },
    },
}

fn main() {}
