//! The sign-in rate limits in the flow: every sign-in POST is counted (per client address
//! and per identifier, see [`crate::config::SignInLimits`]) before `authorize` or the
//! OAuth redirect; a refusal fires `locked_out` and answers `TooManyAttempts`. A refused
//! `authorize` fires `sign_in_failed`; an accepted one clears its identifier's count.

use super::{Ctx, FlowError, Inner, events};
use crate::config::{
    CredentialsError, CredentialsProvider, LockedOutEventArgs, SignInFailedEventArgs,
};
use crate::limits::Verdict;

impl<T, U> Inner<T, U> {
    /// The credentials field whose value the per-identifier limit counts: the configured
    /// one, else the provider's first field that is not a password.
    pub(crate) fn identifier_field<'a>(
        &'a self,
        provider: &'a CredentialsProvider,
    ) -> Option<&'a str> {
        match &self.limiter.limits().identifier {
            Some(name) => Some(name.as_str()),
            None => provider
                .fields
                .iter()
                .find(|f| !f.input_type.eq_ignore_ascii_case("password"))
                .map(|f| f.name.as_str()),
        }
    }

    /// Counts one sign-in POST with `provider`, naming `identifier`; over a limit,
    /// `locked_out` fires and the attempt ends with [`FlowError::TooManyAttempts`]. An
    /// unreachable shared store is a `503` (the attempt is not let through uncounted).
    pub(crate) async fn count_sign_in(
        &self,
        ctx: &Ctx<'_>,
        provider: &str,
        identifier: Option<&str>,
    ) -> Result<(), FlowError> {
        let ip = ctx.client_ip();
        match self.limiter.hit(ip, identifier, ctx.now).await? {
            Verdict::Allowed => Ok(()),
            Verdict::Refused { limit, retry_after } => {
                tracing::warn!(
                    provider,
                    limit = ?limit,
                    ip = ?ip,
                    retry_after_secs = retry_after.as_secs(),
                    "sign-in refused before `authorize`: too many attempts (TooManyAttempts)"
                );
                events::fire(
                    "locked_out",
                    self.config.events.locked_out.as_ref(),
                    LockedOutEventArgs {
                        provider: provider.to_owned(),
                        identifier: identifier.map(str::to_owned),
                        ip,
                        limit,
                        retry_after,
                    },
                );
                Err(FlowError::TooManyAttempts(retry_after))
            }
        }
    }

    /// `authorize` refused: fires `sign_in_failed` (no password in it).
    pub(crate) fn fire_sign_in_failed(
        &self,
        ctx: &Ctx<'_>,
        provider: &str,
        identifier: Option<&str>,
        refused: &CredentialsError,
    ) {
        events::fire(
            "sign_in_failed",
            self.config.events.sign_in_failed.as_ref(),
            SignInFailedEventArgs {
                provider: provider.to_owned(),
                identifier: identifier.map(str::to_owned),
                ip: ctx.client_ip(),
                code: refused.code().to_owned(),
            },
        );
    }

    /// `authorize` accepted `identifier`: its count starts again. A failure to clear it
    /// is logged and does not fail the sign-in.
    pub(crate) async fn clear_identifier(&self, identifier: Option<&str>) {
        let Some(identifier) = identifier else {
            return;
        };
        if let Err(e) = self.limiter.reset_identifier(identifier).await {
            tracing::warn!(error = %e, "could not clear the identifier's sign-in count");
        }
    }
}
