//! The second factor of credentials sign-in (`second_factor: { totp: { .. } }` in `auth!`):
//! the model only; the flow is `flow/second_factor/` (feature `totp`).

/// The second factor asked after a credentials provider's `authorize` accepted a user who
/// enrolled one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecondFactor {
    /// Time-based one-time passwords (RFC 6238), with one-time recovery codes.
    Totp(TotpSettings),
}

/// The TOTP parameters: what an authenticator app is told at enrolment (in the QR code's
/// `otpauth://` URL). The algorithm is HMAC-SHA-1, the one every app supports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TotpSettings {
    /// The name the authenticator app shows above the code (the site's name).
    pub issuer: String,
    /// Digits of a code: 6 (the default) to 8.
    pub digits: u32,
    /// Seconds a code lasts ([`DEFAULT_TOTP_PERIOD`]).
    pub period: u64,
}

/// Digits of a TOTP code unless `digits` says otherwise.
pub const DEFAULT_TOTP_DIGITS: u32 = 6;
/// Seconds a TOTP code lasts unless `period` says otherwise (RFC 6238's default).
pub const DEFAULT_TOTP_PERIOD: u64 = 30;

impl TotpSettings {
    /// TOTP for `issuer`, 6 digits every 30 seconds.
    pub fn new(issuer: impl Into<String>) -> Self {
        TotpSettings {
            issuer: issuer.into(),
            digits: DEFAULT_TOTP_DIGITS,
            period: DEFAULT_TOTP_PERIOD,
        }
    }

    /// Sets the number of digits (6 to 8; checked by `Auth::new`).
    pub fn with_digits(mut self, digits: u32) -> Self {
        self.digits = digits;
        self
    }

    /// Sets the period in seconds (15 to 300; checked by `Auth::new`).
    pub fn with_period(mut self, period: u64) -> Self {
        self.period = period;
        self
    }
}
