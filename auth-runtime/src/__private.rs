//! Items used only by the code `auth!` generates. Not a stable API.

pub use serde;
pub use serde_json;
