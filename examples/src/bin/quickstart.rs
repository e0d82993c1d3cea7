//! The quickstart server (filled in by the axum issue).
fn main() {}
