//! Issuing transaction tokens (see [`crate::txn`]): the subject token verified (an access token
//! with every check a resource would make, revocation and delegations included; or a
//! transaction token of this tenant, unexpired), the claims planned, the token signed with
//! `typ` `txntoken+jwt` and recorded as `txn_token.issued`.

use ciam_core::audit::AuditRecord;
use ciam_core::secret::random_token;
use ciam_jose::Alg;

use super::{Issued, Issuer, TokenCall};
use crate::error::{ErrorCode, OAuthError};
use crate::token::TokenResponse;
use crate::txn::{SubjectKind, TXN_TOKEN_TYP, TXN_TOKEN_TYPE, TxnRequest, plan};

impl Issuer {
    /// A transaction token for the calling workload.
    pub(super) async fn transaction_token(
        &self,
        call: &TokenCall<'_>,
        request: TxnRequest,
    ) -> Result<Issued, OAuthError> {
        let tenant = call.tenant;
        let record =
            self.ports.directory.tenant(tenant).await?.ok_or_else(|| OAuthError::server_error("tenant gone"))?;
        let Some(settings) = &record.settings.token_exchange.transaction_tokens else {
            return Err(OAuthError::new(ErrorCode::InvalidRequest, "this tenant issues no transaction tokens"));
        };
        let subject = match request.kind {
            SubjectKind::AccessToken => {
                self.verified_access_token(tenant, &request.subject_token).await?.map(|t| t.claims)
            }
            SubjectKind::TxnToken => self.own_jwt(tenant, &request.subject_token, TXN_TOKEN_TYP).await?,
        }
        .ok_or_else(|| OAuthError::invalid_request("the subject_token is invalid, expired or revoked"))?;
        let now = self.ports.clock.now();
        let issuer = self.issuer_url(tenant);
        let claims =
            plan(settings, call.client.client_id.as_str(), &request, &subject, &issuer, random_token(16), now)?;
        let token = self.sign(tenant, Alg::ES256, TXN_TOKEN_TYP, &claims).await?;
        let response = TokenResponse {
            access_token: token,
            // draft §7.4: not an access token, so no token type.
            token_type: "N_A",
            expires_in: claims.exp - claims.iat,
            scope: Some(claims.scope.clone()),
            refresh_token: None,
            id_token: None,
            issued_token_type: Some(TXN_TOKEN_TYPE),
            authorization_details: None,
        };
        let mut event = AuditRecord::allow("txn_token.issued");
        event.user_id = (claims.sub != call.client.client_id.as_str()).then(|| claims.sub.clone());
        event.actors = crate::exchange::actor_chain(claims.act.as_ref()).unwrap_or_default();
        event.actors.insert(0, call.client.client_id.to_string());
        event.scope = Some(claims.scope.clone());
        event.audience = Some(claims.aud.clone());
        event.reason = Some(format!("txn {}", claims.txn));
        Ok((response, event).into())
    }
}
