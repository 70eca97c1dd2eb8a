//! Adapters: the server's side of the ports and of the outside world. The services and the
//! doors call them; they hold no product rule of their own.

pub mod captcha;
pub(crate) mod directory;
pub(crate) mod issuance;
pub mod mail;
mod mail_html;
pub mod metadata_documents;
pub mod outbound;
pub(crate) mod revocations;
pub mod risk;
pub(crate) mod upstream;
