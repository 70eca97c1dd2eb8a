//! The hosted pages' dialects: branded error pages, authorization errors sent to a verified
//! redirect URI (signed for JARM modes), the passkey calls' JSON, and the bare page for a
//! template that cannot be rendered.

use super::oauth::oauth_failure_kind;
use super::*;
use crate::i18n::{Msg, Text, msg, tr};

/// What the hosted pages say when a request fails for reasons of the server.
pub(super) const PAGE_UNAVAILABLE: Msg = msg!("error-unavailable");

/// A hosted page request that does not succeed: an error page in the tenant's branding (never
/// a redirect), or an authorization error sent back to the client ([`ErrorRedirect`]). Page
/// handlers return `Result<Response, PageError>`, so `?` works on every store call.
///
/// A [`Failure`] shows the person the same page whatever its kind (503, "temporarily
/// unavailable", as it always did); the log gets the kind and the cause. The message is put in
/// the language of the request when the page is rendered.
#[derive(Debug)]
pub(crate) struct PageError(Box<PageRepr>);

#[derive(Debug)]
enum PageRepr {
    Page {
        status: StatusCode,
        message: Text,
        brand: Option<Brand>,
        cause: Option<Failure>,
        /// A refused authorization request, for the log.
        refused: Option<Refused>,
    },
    Redirect(ErrorRedirect),
}

impl PageError {
    /// A page saying `message` with `status`.
    pub(crate) fn new(status: StatusCode, message: impl Into<Text>) -> Self {
        Self(Box::new(PageRepr::Page { status, message: message.into(), brand: None, cause: None, refused: None }))
    }

    /// 400 for an authorization request refused before its client and redirect URI were
    /// verified (RFC 6749 §4.1.2.1: never redirected): the page says what the error says, and
    /// the log gets the refusal.
    pub(crate) fn refused(error: ciam_oauth::OAuthError) -> Self {
        let refused = Refused::of(&error);
        Self(Box::new(PageRepr::Page {
            status: StatusCode::BAD_REQUEST,
            // The protocol's words, for the application's developer: not translated.
            message: Text::Verbatim(error.description),
            brand: None,
            cause: None,
            refused,
        }))
    }

    /// 400: the request cannot go on (an expired page, a bad form).
    pub(crate) fn bad_request(message: impl Into<Text>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 403: not allowed (a form without its CSRF token, a disabled method).
    pub(crate) fn forbidden(message: impl Into<Text>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// The page of a server-side failure.
    pub(crate) fn failed(cause: impl Into<Failure>) -> Self {
        Self(Box::new(PageRepr::Page {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: PAGE_UNAVAILABLE.into(),
            brand: None,
            cause: Some(cause.into()),
            refused: None,
        }))
    }

    /// The page in a tenant's branding (unless it has one already); without, the neutral one.
    #[must_use]
    pub(crate) fn branded(mut self, with: &Brand) -> Self {
        if let PageRepr::Page { brand: b @ None, .. } = &mut *self.0 {
            *b = Some(with.clone());
        }
        self
    }

    /// The status the person gets.
    #[cfg(test)]
    pub(crate) fn status(&self) -> StatusCode {
        match &*self.0 {
            PageRepr::Page { status, .. } => *status,
            PageRepr::Redirect(_) => StatusCode::SEE_OTHER,
        }
    }
}

macro_rules! page_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for PageError {
            fn from(e: $t) -> Self {
                Self::failed(e)
            }
        }
    )*};
}
page_error_from!(
    Failure,
    StoreError,
    crate::services::ServiceError,
    serde_json::Error,
    ciam_jose::SealError,
    ciam_jose::KeyringError,
    ciam_authn::PasswordError,
    ciam_authn::TotpError
);

impl From<ErrorRedirect> for PageError {
    fn from(r: ErrorRedirect) -> Self {
        Self(Box::new(PageRepr::Redirect(r)))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match *self.0 {
            PageRepr::Page { status, message, brand, cause, refused } => {
                let mut res = error_page(status, brand.as_ref().unwrap_or(&Brand::neutral()), &message.resolve());
                if let Some(refused) = refused {
                    res.extensions_mut().insert(refused);
                }
                if let Some(cause) = cause {
                    res.extensions_mut().insert(cause.into_internal());
                }
                res
            }
            PageRepr::Redirect(r) => r.into_response(),
        }
    }
}

/// An authorization error sent to the client's verified redirect URI (RFC 6749 §4.1.2.1) with
/// `state` and `iss` (RFC 9207), as query parameters or an auto-posting form. Only for a
/// verified client and redirect URI: anything else is a [`PageError`].
#[derive(Debug)]
pub(crate) struct ErrorRedirect {
    /// The verified redirect URI.
    pub(crate) redirect_uri: String,
    /// Query or form post.
    pub(crate) response_mode: ciam_oauth::authorize::ResponseMode,
    /// The client's `state`.
    pub(crate) state: Option<String>,
    /// The issuer (RFC 9207).
    pub(crate) iss: String,
    /// What went wrong; a `server_error`'s cause goes to the log.
    pub(crate) error: ciam_oauth::OAuthError,
    /// For a JARM response mode: what signs the response.
    pub(crate) signer: Option<ResponseSigner>,
}

impl IntoResponse for ErrorRedirect {
    fn into_response(self) -> Response {
        let Self { redirect_uri, response_mode, state, iss, error, signer } = self;
        let refused = Refused::of(&error);
        let mut fields =
            vec![("error", error.code.as_str().to_owned()), ("error_description", error.description.into_owned())];
        if let Some(s) = state {
            fields.push(("state", s));
        }
        fields.push(("iss", iss));
        let mut res = match respond_in_mode(&redirect_uri, response_mode, fields, signer.as_ref()) {
            Ok(res) => res,
            Err(cause) => {
                let mut res = error_page(StatusCode::SERVICE_UNAVAILABLE, &Brand::neutral(), &tr(PAGE_UNAVAILABLE));
                res.extensions_mut().insert(InternalError::new(FailureKind::Internal, cause));
                return res;
            }
        };
        if let Some(refused) = refused {
            res.extensions_mut().insert(refused);
        }
        if let Some(message) = error.internal {
            res.extensions_mut().insert(InternalError::new(oauth_failure_kind(error.code), message));
        }
        res
    }
}

// --- Passkey ceremonies ---------------------------------------------------------------------

/// What the passkey calls of the hosted pages answer when they fail: `{"error": "…"}` with a
/// status, which the page script shows to the person (in the language of the request: callers
/// pass words from [`crate::i18n::tr`]).
#[derive(Debug)]
pub(crate) struct CeremonyError {
    status: StatusCode,
    message: Cow<'static, str>,
    cause: Option<InternalError>,
}

impl CeremonyError {
    /// A refusal with words for the person.
    pub(crate) fn new(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self { status, message: message.into(), cause: None }
    }

    /// 400.
    pub(crate) fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// The same answer, with a server-side cause for the log.
    #[must_use]
    pub(crate) fn because(self, cause: impl Into<Failure>) -> Self {
        Self { cause: Some(cause.into().into_internal()), ..self }
    }

    /// A page's answer (an error page, a refusal) to a call the page script made: its status
    /// (400 for a page that is not an error), `message`, and the page's cause for the log.
    pub(crate) fn instead_of(page: &Response, message: Msg) -> Self {
        let status = if page.status().is_success() { StatusCode::BAD_REQUEST } else { page.status() };
        Self { status, message: Cow::Owned(tr(message)), cause: page.extensions().get::<InternalError>().cloned() }
    }
}

macro_rules! ceremony_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for CeremonyError {
            fn from(e: $t) -> Self {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, tr(msg!("error-unavailable-short"))).because(e)
            }
        }
    )*};
}
ceremony_error_from!(Failure, StoreError, serde_json::Error, crate::services::ServiceError);

/// The page's refusal (an unknown tenant, say), in the words of the page.
impl From<PageError> for CeremonyError {
    fn from(e: PageError) -> Self {
        match *e.0 {
            PageRepr::Page { status, message, cause, .. } => {
                Self { status, message: Cow::Owned(message.resolve()), cause: cause.map(Failure::into_internal) }
            }
            PageRepr::Redirect(r) => Self::instead_of(&r.into_response(), msg!("error-sign-in-refused")),
        }
    }
}

impl IntoResponse for CeremonyError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(serde_json::json!({ "error": self.message }))).into_response();
        if let Some(cause) = self.cause {
            res.extensions_mut().insert(cause);
        }
        res
    }
}

/// The answer when a hosted page cannot be rendered: a bare 500 page, written out here because
/// rendering the branded error page could fail the same way, with the cause for the log.
pub(crate) fn unrenderable_page(cause: impl std::fmt::Display) -> Response {
    const BODY: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Something went wrong</title>\
                        <p>Something went wrong. Please try again later.</p></html>";
    let mut res = (StatusCode::INTERNAL_SERVER_ERROR, axum::response::Html(BODY)).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.extensions_mut().insert(InternalError::new(FailureKind::Internal, format!("template: {cause}")));
    res
}
