//! The app's whole auth configuration: the `auth!` invocation, and `authorize`.

use auth_runtime::{Credentials, CredentialsError, password};

pub use crate::db::{Db, Role};

/// The code `authorize` answers for a suspended account; `/login` explains it.
pub const SUSPENDED: &str = "suspended";
/// The code `authorize` answers when the user store fails.
pub const UNAVAILABLE: &str = "unavailable";

/// Checks a sign-in against the store. An unknown name costs the same argon2 check as a
/// wrong password and answers the same default code, so neither the timing nor the answer
/// tells which names have an account; only the right password learns that an account is
/// suspended.
async fn authorize(db: Db, credentials: Credentials) -> Result<User, CredentialsError> {
    let name = credentials.get("username").unwrap_or_default().trim();
    let found = db.find_by_name(name).await.map_err(|error| {
        tracing::error!(%error, "sign-in failed: the user store is unavailable");
        CredentialsError::new(UNAVAILABLE)
    })?;
    let (account, hash) = found.unzip();
    let password = credentials.get("password").unwrap_or_default().to_owned();
    // No such user (`hash` is `None`: checked against a dummy hash) or a wrong password: the
    // same time, the same answer. The name is the visitor's text: `?` logs it quoted and
    // escaped (`"eve\nINFO .."`), so a name with a newline cannot forge a log line.
    let (true, Some(account)) = (password::check_async(password, hash).await, account) else {
        tracing::info!(user = ?name, "sign-in refused: unknown user or wrong password");
        return Err(CredentialsError::default());
    };
    if account.suspended {
        tracing::warn!(user = ?account.name, user_id = %account.id, "sign-in refused: suspended");
        return Err(CredentialsError::new(SUSPENDED));
    }
    // The generated, typed `User` (from `user: { .. }` below): the role found here reaches
    // `jwt` with the user, so `jwt` needs no second lookup.
    Ok(User::new(account.id)
        .with_name(account.name)
        .with_role(account.role))
}

auth_runtime::auth! {
    // The application state every callback may bind as `state`: here the database pool.
    state: Db,
    // What the signed-in user carries from `authorize` to `jwt`, typed.
    user: { role: Role },
    // The role stays in the session token; `#[session]` copies it into `session.user.role`.
    token: { #[session] role: Role },
    // `id` is filled from the token's `sub`: the user's id in `app_users`.
    session_user: { id: String },
    providers: [
        Credentials { authorize: |credentials, state| async move { authorize(state, credentials).await } },
    ],
    callbacks: {
        // On sign-in (the flow's, or the app's own after sign-up) the role goes into the token.
        jwt(token, user) {
            if let Some(user) = user {
                token.role = user.role;
            }
            token
        },
    },
    events: {
        sign_in(user, is_new_user) {
            tracing::info!(user_id = %user.id, user = ?user.name, is_new_user, "signed in");
        }
        sign_out(user_id) {
            tracing::info!(user_id = ?user_id, "signed out");
        }
    },
    // Our own sign-in page, which explains the `code` of a refused sign-in.
    pages: { sign_in: "/login" },
}
