//! Signed request objects (JAR, RFC 9101) at the PAR and authorization endpoints: the object's
//! signature is verified with the client's registered keys (only the algorithms of its profile),
//! then the engine's rules ([`ciam_oauth::request_object`]) give the authorization parameters.
//! A `request_uri` is only ever one of our pushed requests: none is fetched.

use ciam_core::client::Client;
use ciam_core::tenant::Tenant;
use ciam_oauth::form::Params;
use ciam_oauth::request_object::{FORBIDDEN_TYPS, check_typ, parameters};
use ciam_oauth::{ErrorCode, OAuthError};

use super::par::PAR_MARKER;
use crate::http::verify_client_jwt;
use crate::state::AppState;

/// The internal parameter that marks a request as coming from a verified request object,
/// through the whole flow (a client with `require_signed_request_object` needs it).
pub(crate) const JAR_MARKER: &str = "__jar";

/// The authorization parameters of the request object `jwt` the client sent with `outer`,
/// form-encoded, with the [`JAR_MARKER`]. Every refusal is `invalid_request_object`.
pub(crate) async fn signed_request(
    st: &AppState,
    tenant: &Tenant,
    client: &Client,
    outer: &Params,
    jwt: &str,
) -> Result<String, OAuthError> {
    let invalid = |description| OAuthError::new(ErrorCode::InvalidRequestObject, description);
    check_typ(jwt)?;
    let claims = verify_client_jwt(st, tenant, client, jwt, &FORBIDDEN_TYPS).await.map_err(|e| {
        tracing::debug!(client = %client.client_id, error = %e, "request object refused");
        match e {
            ciam_jose::JwtError::Algorithm => invalid("the request object's algorithm is not accepted for this client"),
            _ => invalid("the request object does not verify with the client's registered keys"),
        }
    })?;
    let now = st.clock.now().unix_timestamp();
    let query = parameters(&claims, outer, client.client_id.as_str(), &st.issuer(&tenant.id), now)?;
    let params = Params::parse(query.as_bytes())?;
    if params.get(PAR_MARKER).is_some() || params.get(JAR_MARKER).is_some() {
        return Err(invalid("the request object carries a reserved parameter"));
    }
    let marker = url::form_urlencoded::Serializer::new(String::new()).append_pair(JAR_MARKER, "1").finish();
    Ok(format!("{query}&{marker}"))
}
