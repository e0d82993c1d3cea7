#[derive(Clone, Debug, Default, PartialEq)]
pub struct Role(String);

auth_runtime::auth! {
    token: { role: Role },
}

fn main() {}
