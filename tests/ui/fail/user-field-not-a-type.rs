// A `user: { .. }` field's type must be a type.
auth_runtime::auth! {
    user: { role: 42 },
}

fn main() {}
