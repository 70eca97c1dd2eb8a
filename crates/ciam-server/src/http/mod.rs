//! HTTP pieces every door shares (the management API, the protocol endpoints, the hosted
//! pages), so that no handler folder imports another: the extractors whose rejections speak
//! the app's error format (`crate::error`), the caller of a request (`crate::audit::Caller`),
//! the tenant a path names, the authenticated client of a back-channel request, and the admin
//! token check.

mod back_channel;
mod certificate;
mod extract;
pub(crate) mod page;
pub(crate) mod regions;

pub(crate) use back_channel::{BackChannel, dpop_proof, verify_client_jwt};
pub(crate) use certificate::{ClientCertificate, client_certificate};
pub(crate) use extract::bearer_token;
pub(crate) use extract::tenant_record;
pub use extract::{AdminAuth, JsonObject, Path, Query};
