// `user: { .. }` fields: not a standard field of `User`, not twice, no `#[session]`.
auth_runtime::auth! {
    user: {
        id: u64,
        email: String,
        email_verified: bool,
        role: String,
        role: u8,
        #[session] plan: String,
    },
}

fn main() {}
