//! HTTP helpers every door shares (the management API, the protocol endpoints, the hosted
//! pages), so that no handler folder imports another.

use crate::error::Problem;

/// `axum::extract::Path` whose rejection is a 404 problem document.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct Path<T>(pub T);
