//! The typed configuration that `auth!` emits and the runtime executes.
//!
//! Everything here is data and closures: the macro builds an [`AuthConfig`] with the
//! `#[doc(hidden)]` builder methods, and the runtime ([`crate::Auth`]) owns the flow.
//! Applications normally never build an [`AuthConfig`] by hand, but they may adjust one
//! at start-up with the public `with_*` methods (secrets, base URL, trusted host).

mod auth_config;
mod callbacks;
mod credentials_error;
mod email;
mod events;
mod limits;
mod options;
mod providers;
mod request;
mod second_factor;
mod tokens;
mod users;
mod value;

pub use auth_config::{
    AuthConfig, DEFAULT_BASE_PATH, DEFAULT_MAX_AGE, DEFAULT_SESSION_CHECK_INTERVAL,
    DEFAULT_UPDATE_AGE, Pages, SessionStrategy,
};

pub use callbacks::{
    AuthorizeFn, BoxFuture, DatabaseSessionArgs, DatabaseSessionFn, JwtArgs, JwtCallbackReturn,
    JwtFn, JwtSessionArgs, JwtSessionFn, RedirectArgs, RedirectCallbackReturn, RedirectFn,
    SessionCallback, SessionCallbackReturn, SignInArgs, SignInCallbackReturn, SignInDecision,
    SignInFn,
};
pub use credentials_error::{AuthorizeReturn, CredentialsError, OkOrDefault};
pub use email::{
    DEFAULT_EMAIL_FROM, DEFAULT_EMAIL_MAX_AGE, EmailProvider, SendVerificationRequestFn,
    SendVerificationRequestReturn, VerificationRequest,
};
pub use events::{
    CreateUserEventArgs, EventError, EventFn, EventReturn, Events, LimitKind, LinkAccountEventArgs,
    LockedOutEventArgs, SessionEventArgs, SignInEventArgs, SignInFailedEventArgs, SignOutEventArgs,
};
pub use limits::{
    DEFAULT_MAX_KEYS, DEFAULT_PER_IDENTIFIER, DEFAULT_PER_IP, Rate, SignInLimitStats, SignInLimits,
};
pub use options::{
    CallbackState, FlagValue, ProviderValue, SecondsValue, TextListValue, TextValue,
};
pub use providers::{
    ClientAuth, ClientSecretJwt, CredentialField, CredentialsProvider, OAuthProvider, OAuthSupport,
    PasskeyProvider, PasskeySupport, ProfileFn, Provider,
};
pub use request::RequestInfo;
pub use second_factor::{DEFAULT_TOTP_DIGITS, DEFAULT_TOTP_PERIOD, SecondFactor, TotpSettings};
pub use tokens::{DefaultSessionUser, FieldData, Session, SessionUserData, TokenData, Trigger};
pub use users::{Account, AccountType, Credentials, Profile, User, UserDataError};
pub use value::{ConfigValue, env};
