//! The one authorization request builder (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3), on tenant
//! `acme` and the fixtures' callback unless told otherwise.

use crate::browser::CALLBACK;

/// The PKCE verifier of every request built here (RFC 7636 Appendix B's example).
pub const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// Its S256 challenge.
pub const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// An authorization request for `client_id` asking for `scope`: `response_type=code`, redirect
/// URI [`CALLBACK`], `state=s`, the S256 challenge of [`PKCE_VERIFIER`], no nonce.
pub fn authorize_url(client_id: &str, scope: &str) -> AuthorizeUrl {
    AuthorizeUrl {
        tenant: "acme".into(),
        client_id: client_id.into(),
        redirect_uri: CALLBACK.into(),
        scope: scope.into(),
        state: "s".into(),
        nonce: None,
        extra: String::new(),
    }
}

/// An authorization request being built; [`AuthorizeUrl::build`] gives the path and query.
#[derive(Debug, Clone)]
pub struct AuthorizeUrl {
    tenant: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: String,
    nonce: Option<String>,
    extra: String,
}

impl AuthorizeUrl {
    /// On tenant `tenant`.
    #[must_use]
    pub fn tenant(mut self, tenant: &str) -> Self {
        tenant.clone_into(&mut self.tenant);
        self
    }

    /// With this `redirect_uri`.
    #[must_use]
    pub fn redirect_uri(mut self, uri: &str) -> Self {
        uri.clone_into(&mut self.redirect_uri);
        self
    }

    /// With this `state`.
    #[must_use]
    pub fn state(mut self, state: &str) -> Self {
        state.clone_into(&mut self.state);
        self
    }

    /// With this `nonce`.
    #[must_use]
    pub fn nonce(mut self, nonce: &str) -> Self {
        self.nonce = Some(nonce.to_owned());
        self
    }

    /// Appends `extra`, already encoded, each parameter starting with `&`.
    #[must_use]
    pub fn extra(mut self, extra: &str) -> Self {
        self.extra.push_str(extra);
        self
    }

    /// `/t/{tenant}/authorize?...`.
    pub fn build(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &self.scope)
            .append_pair("state", &self.state);
        if let Some(n) = &self.nonce {
            query.append_pair("nonce", n);
        }
        query.append_pair("code_challenge", PKCE_CHALLENGE).append_pair("code_challenge_method", "S256");
        format!("/t/{}/authorize?{}{}", self.tenant, query.finish(), self.extra)
    }
}

impl std::fmt::Display for AuthorizeUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.build())
    }
}
