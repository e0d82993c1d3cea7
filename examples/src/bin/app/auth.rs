//! The app's whole auth configuration: the `auth!` invocation, and `authorize`.

use auth_runtime::{Credentials, CredentialsError, User, password};

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
    // The name is the visitor's text: `?` logs it quoted and escaped (`"eve\nINFO .."`), so
    // a name with a newline cannot forge a log line.
    let (true, Some(account)) = (password::check_async(password, hash).await, account) else {
        tracing::info!(user = ?name, "sign-in refused: unknown user or wrong password");
        return Err(CredentialsError::default());
    };
    if account.suspended {
        tracing::warn!(user = ?account.name, user_id = %account.id, "sign-in refused: suspended");
        return Err(CredentialsError::new(SUSPENDED));
    }
    Ok(User::new(account.id).with_name(account.name))
}

auth_runtime::auth! {
    // The application state every callback may bind as `state`: here the database pool.
    state: Db,
    // `#[session]` copies the role into `session.user.role` (typed: `Role`).
    token: { #[session] role: Role },
    // `id` is filled from the token's `sub`: the user's id in `app_users`.
    session_user: { id: String },
    providers: [
        Credentials { authorize: |credentials, state| async move { authorize(state, credentials).await } },
    ],
    callbacks: {
        // On sign-in (the flow's or the app's own, after sign-up) the role goes into the token.
        jwt(token, user, state) {
            if let Some(user) = user {
                match state.find_by_id(&user.id).await {
                    Ok(Some(account)) => token.role = account.role,
                    Ok(None) => {}
                    Err(error) => tracing::error!(%error, "role lookup failed: signed in as a user"),
                }
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
