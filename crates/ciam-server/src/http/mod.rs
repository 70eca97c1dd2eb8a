//! HTTP pieces every door shares (the management API, the protocol endpoints, the hosted
//! pages), so that no handler folder imports another: the extractors whose rejections speak
//! the app's error format, the admin token check, and how a service's failure becomes a
//! problem document.

mod extract;

pub use extract::{AdminAuth, JsonObject, Path, Query};

use crate::error::{Problem, ProblemKind};
use crate::services::ServiceError;

/// A service failure as the management API (and the account API) answers it.
impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Store(e) => e.into(),
            ServiceError::Sessions(e) => {
                Problem::new(ProblemKind::Unavailable, "the session store is unavailable; retry shortly")
                    .with_internal(e.to_string())
            }
            ServiceError::Invalid(field) => Problem::invalid(field),
            ServiceError::Internal(cause) => Problem::internal(cause),
            ServiceError::Keys(e) => match e {
                ciam_jose::KeyringError::Store(s) => s.into(),
                other => Problem::new(ProblemKind::Internal, "signing keys could not be used")
                    .with_internal(other.to_string()),
            },
        }
    }
}
