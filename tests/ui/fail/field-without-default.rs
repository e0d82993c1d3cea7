// Declared field types must be `Default` (and serde): the error is on the type.
pub struct Role;

auth_runtime::auth! {
    token: { role: Role },
}

fn main() {}
