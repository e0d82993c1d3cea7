// Declared field types must be `Default` (the struct is `#[serde(default)]` so tokens
// minted without the field, e.g. by Auth.js, still decode): the error is on the type.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Role(String);

auth_runtime::auth! {
    token: { role: Role },
}

fn main() {}
