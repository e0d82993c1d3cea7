//! The typed token and session: the bounds the generated types satisfy, the session a
//! client reads, and why the `jwt` callback runs.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Bounds every generated token type satisfies (blanket-implemented).
///
/// The runtime works on the token through serde: the standard claims `sub`, `name`,
/// `email`, `picture`, `iat`, `exp` and `jti` are fields of the generated struct, and
/// missing fields take their `Default` (the struct is `#[serde(default)]`).
pub trait TokenData:
    Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static
{
}
impl<T> TokenData for T where
    T: Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static
{
}

/// Bounds every generated `session.user` type satisfies (blanket-implemented).
///
/// The generated type always has `name`, `email` and `image` (`Option<String>`) and the
/// fields declared in `session_user: { .. }`.
pub trait SessionUserData:
    Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static
{
}
impl<T> SessionUserData for T where
    T: Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync + 'static
{
}

/// Types a field declared in `token`, `session_user` or `user` of `auth!` may have: the
/// token and the session travel as JSON, so each field is serde's `Serialize` and
/// `DeserializeOwned` (blanket-implemented; `auth!` serialises every declared field
/// through it).
///
/// Named after what it describes, so that a field of a type serde cannot handle is one
/// compile error, on the type, in the words of `auth!`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the type of a field declared in `auth!`: it is not serde's `Serialize` and `Deserialize`",
    label = "the token and the session are JSON: this type must be `Serialize` and `Deserialize`",
    note = "derive them on it: `#[derive(serde::Serialize, serde::Deserialize)]`, or give the field `#[serde(with = \"..\")]`"
)]
pub trait FieldData: Sized {
    /// Serialises a field of this type (serde's `serialize_with`).
    fn serialize_field<S: serde::Serializer>(
        value: &Self,
        serializer: S,
    ) -> Result<S::Ok, S::Error>;

    /// Deserialises a field of this type (serde's `deserialize_with`).
    fn deserialize_field<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self, D::Error>;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned> FieldData for T {
    fn serialize_field<S: serde::Serializer>(
        value: &Self,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    fn deserialize_field<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Self, D::Error> {
        T::deserialize(deserializer)
    }
}

/// The session a client reads from `GET /session`, with the typed `user`.
///
/// Serialises as Auth.js does: `{"user": {..}, "expires": "<ISO 8601>"}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "U: Serialize",
    deserialize = "U: DeserializeOwned + Default"
))]
pub struct Session<U> {
    /// The signed-in user, with the fields declared in `session_user: { .. }`.
    #[serde(default)]
    pub user: U,
    /// When the session expires (ISO 8601, UTC).
    #[serde(default)]
    pub expires: String,
}

/// The default `session.user` when `auth!` declares no `session_user`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultSessionUser {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// Why the `jwt` callback runs (Auth.js's `trigger`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Trigger {
    /// First sign-in of an existing user.
    SignIn,
    /// First sign-in that created the user (database strategy).
    SignUp,
    /// `POST /session` (a client-side session update).
    Update,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_session_user_omits_absent_fields_like_authjs() {
        let user = DefaultSessionUser {
            name: Some("Ada".into()),
            ..DefaultSessionUser::default()
        };
        assert_eq!(
            serde_json::to_string(&user).unwrap_or_default(),
            r#"{"name":"Ada"}"#
        );
    }
}
