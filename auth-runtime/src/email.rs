//! E-mail sign-in ("magic links", feature `email`): what the flow does to an address and the
//! mail it sends, for a `send_verification_request` hook that sends the link its own way.
//!
//! The flow itself is `Email { .. }` in [`auth!`](crate::auth!): `POST /signin/email` with
//! the address mails a one-time link (a token of 32 random bytes, stored hashed through the
//! adapter, valid `max_age`, 24 hours by default, once), `GET /callback/email?token=..&email=..`
//! signs in, creating the user on first use with the address verified.

pub use crate::flow::email::{
    AddressError, normalize_address, verification_html, verification_subject, verification_text,
};
