//! HTTP pieces every door shares (the management API, the protocol endpoints, the hosted
//! pages), so that no handler folder imports another: the extractors whose rejections speak
//! the app's error format (`crate::error`), and the admin token check.

mod extract;

pub use extract::{AdminAuth, JsonObject, Path, Query};
