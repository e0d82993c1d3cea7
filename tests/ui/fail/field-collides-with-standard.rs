// Declared fields may not redefine the standard ones, nor repeat.
auth_runtime::auth! {
    token: { email: String, id: String, id: u64 },
    session_user: { image: Option<String>, role: String },
}

fn main() {}
