//! SQL text shared by both dialects (`$N` placeholders work in SQLite and Postgres). Explicit
//! column lists, lowercase, every predicate leads with `tenant_id`.

pub(crate) const PING: &str = "select 1";

pub(crate) const INSERT_TENANT: &str = "insert into tenant \
    (tenant_id, display_name, home_region, settings, created_at, updated_at, incarnation) \
    values ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const SELECT_TENANT: &str = "select tenant_id, display_name, home_region, settings, created_at, updated_at, \
    incarnation from tenant where tenant_id = $1";
pub(crate) const LIST_TENANTS: &str = "select tenant_id, display_name, home_region, settings, created_at, updated_at, \
    incarnation from tenant where tenant_id > $1 order by tenant_id limit $2";
pub(crate) const UPDATE_TENANT: &str = "update tenant set display_name = $2, home_region = $3, settings = $4, \
    updated_at = $5 where tenant_id = $1";
pub(crate) const DELETE_TENANT: &str = "delete from tenant where tenant_id = $1";

pub(crate) const INSERT_USER: &str = "insert into user_account (tenant_id, user_id, email, email_normalized, \
    email_verified, status, profile, created_at, updated_at, source, name_key) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub(crate) const SELECT_USER: &str = "select tenant_id, user_id, email, email_normalized, email_verified, status, \
    profile, created_at, updated_at, source from user_account where tenant_id = $1 and user_id = $2";
pub(crate) const SELECT_USER_BY_EMAIL: &str = "select tenant_id, user_id, email, email_normalized, email_verified, \
    status, profile, created_at, updated_at, source from user_account where tenant_id = $1 and email_normalized = $2";
pub(crate) const LIST_USERS: &str = "select tenant_id, user_id, email, email_normalized, email_verified, status, \
    profile, created_at, updated_at, source from user_account where tenant_id = $1 and user_id > $2 order by user_id limit $3";
pub(crate) const UPDATE_USER: &str = "update user_account set email = $3, email_normalized = $4, \
    email_verified = $5, status = $6, profile = $7, updated_at = $8, name_key = $9 where tenant_id = $1 and user_id = $2";
// A name search: the keys in [$2, $3) (the prefix and the prefix followed by the last code
// point), after ($4, $5) in (name_key, user_id) order.
pub(crate) const FIND_USERS_BY_NAME: &str = "select tenant_id, user_id, email, email_normalized, email_verified, \
    status, profile, created_at, updated_at, source from user_account where tenant_id = $1 \
    and name_key >= $2 and name_key < $3 and (name_key > $4 or (name_key = $4 and user_id > $5)) \
    order by name_key, user_id limit $6";
pub(crate) const DELETE_USER: &str = "delete from user_account where tenant_id = $1 and user_id = $2";
pub(crate) const UPSERT_PASSWORD: &str = "insert into password_credential (tenant_id, user_id, phc, updated_at) \
    values ($1, $2, $3, $4) on conflict (tenant_id, user_id) do update set phc = excluded.phc, \
    updated_at = excluded.updated_at";
pub(crate) const SELECT_PASSWORD: &str = "select phc from password_credential where tenant_id = $1 and user_id = $2";
pub(crate) const SELECT_USER_ID_BY_EMAIL: &str =
    "select user_id from user_account where tenant_id = $1 and email_normalized = $2";
pub(crate) const SELECT_USER_ID_BY_EXTERNAL_ID: &str =
    "select user_id from user_external_id where tenant_id = $1 and external_id = $2";
pub(crate) const SELECT_EXTERNAL_ID: &str =
    "select external_id from user_external_id where tenant_id = $1 and user_id = $2 order by external_id limit 1";
pub(crate) const INSERT_EXTERNAL_ID: &str = "insert into user_external_id (tenant_id, external_id, user_id) \
    values ($1, $2, $3) on conflict do nothing";

pub(crate) const INSERT_CLIENT: &str = "insert into client (tenant_id, client_id, name, client_type, \
    redirect_uris, post_logout_redirect_uris, grant_types, token_endpoint_auth_method, scopes, jwks_uri, jwks, \
    secret_hash, secret_updated_at, created_at, updated_at, require_pushed_authorization_requests, \
    id_token_signed_response_alg, opaque_access_tokens, agent, dpop_bound_access_tokens, security_profile, token_exchange, \
    require_signed_request_object, authorization_signed_response_alg, saml, saml_entity_id, backchannel, first_party) \
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
    $25, $26, $27, $28)";
macro_rules! client_columns {
    () => {
        "tenant_id, client_id, name, client_type, redirect_uris, post_logout_redirect_uris, grant_types, \
        token_endpoint_auth_method, scopes, jwks_uri, jwks, created_at, updated_at, \
        require_pushed_authorization_requests, id_token_signed_response_alg, opaque_access_tokens, agent, \
        dpop_bound_access_tokens, security_profile, token_exchange, require_signed_request_object, \
        authorization_signed_response_alg, saml, backchannel, first_party"
    };
}
pub(crate) const SELECT_CLIENT: &str =
    concat!("select ", client_columns!(), " from client where tenant_id = $1 and client_id = $2");
pub(crate) const LIST_CLIENTS: &str = concat!(
    "select ",
    client_columns!(),
    " from client where tenant_id = $1 and client_id > $2 order by client_id limit $3"
);
// Only agents, selected in the query: filtering a page of clients afterwards would leave pages
// short or empty while more agents follow.
pub(crate) const LIST_AGENTS: &str = concat!(
    "select ",
    client_columns!(),
    " from client where tenant_id = $1 and client_id > $2 and agent is not null order by client_id limit $3"
);
pub(crate) const UPDATE_CLIENT: &str = "update client set name = $3, redirect_uris = $4, \
    post_logout_redirect_uris = $5, grant_types = $6, token_endpoint_auth_method = $7, scopes = $8, \
    jwks_uri = $9, jwks = $10, updated_at = $11, require_pushed_authorization_requests = $12, \
    id_token_signed_response_alg = $13, opaque_access_tokens = $14, agent = $15, dpop_bound_access_tokens = $16, \
    security_profile = $17, token_exchange = $18, \
    require_signed_request_object = $19, authorization_signed_response_alg = $20, saml = $21, saml_entity_id = $22, backchannel = $23, \
    first_party = $24 where tenant_id = $1 and client_id = $2";
pub(crate) const SELECT_SAML_APP: &str =
    concat!("select ", client_columns!(), " from client where tenant_id = $1 and saml_entity_id = $2");
pub(crate) const LIST_SAML_APPS: &str = concat!(
    "select ",
    client_columns!(),
    " from client where tenant_id = $1 and saml_entity_id is not null order by client_id limit $2"
);
pub(crate) const SELECT_SAML_SIGNING_KEY: &str =
    "select sealed_private, certificate, created_at from saml_signing_key where tenant_id = $1";
pub(crate) const INSERT_SAML_SIGNING_KEY: &str = "insert into saml_signing_key (tenant_id, sealed_private, \
    certificate, created_at) values ($1, $2, $3, $4) on conflict do nothing";
pub(crate) const SET_CLIENT_SECRET: &str = "update client set secret_hash = $3, secret_updated_at = $4, \
    updated_at = $4 where tenant_id = $1 and client_id = $2";
pub(crate) const SELECT_CLIENT_SECRET: &str = "select secret_hash from client where tenant_id = $1 and client_id = $2";
pub(crate) const SET_REGISTRATION_TOKEN: &str =
    "update client set registration_token_hash = $3 where tenant_id = $1 and client_id = $2";
pub(crate) const SELECT_REGISTRATION_TOKEN: &str =
    "select registration_token_hash from client where tenant_id = $1 and client_id = $2";
pub(crate) const DELETE_CLIENT: &str = "delete from client where tenant_id = $1 and client_id = $2";

pub(crate) const INSERT_KEY: &str = "insert into signing_key (tenant_id, kid, alg, state, public_jwk, \
    sealed_private, created_at, activated_at, retired_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub(crate) const LIST_KEYS: &str = "select tenant_id, kid, alg, state, public_jwk, sealed_private, created_at, \
    activated_at, retired_at from signing_key where tenant_id = $1 order by created_at desc, kid";
pub(crate) const RETIRE_ACTIVE_KEY: &str = "update signing_key set state = 'retired', retired_at = $3 \
    where tenant_id = $1 and alg = $2 and state = 'active'";
pub(crate) const PROMOTE_NEXT_KEY: &str = "update signing_key set state = 'active', activated_at = $4 \
    where tenant_id = $1 and alg = $2 and kid = $3 and state = 'next'";
pub(crate) const DELETE_RETIRED_KEYS: &str =
    "delete from signing_key where tenant_id = $1 and state = 'retired' and retired_at < $2";

// `do nothing` on a repeat: revoking twice is not an error (RFC 7009 §2.2).
pub(crate) const REVOKE_TOKEN: &str = "insert into revoked_token (tenant_id, jti, expires_at) values ($1, $2, $3) \
    on conflict (tenant_id, jti) do nothing";
pub(crate) const IS_TOKEN_REVOKED: &str =
    "select 1 from revoked_token where tenant_id = $1 and jti in ($2, $3) limit 1";
pub(crate) const UNEXPIRED_REVOCATIONS: &str =
    "select jti, expires_at from revoked_token where tenant_id = $1 and expires_at >= $2 limit $3";
pub(crate) const PURGE_REVOCATIONS: &str = "delete from revoked_token where expires_at < $1";

pub(crate) const INSERT_REFRESH_FAMILY: &str = "insert into refresh_family (tenant_id, family_id, client_id, user_id, \
    scope, auth_time, sid, created_at, expires_at, revoked_at, dpop_jkt, resources, acr, \
    userinfo_claims, authorization_details) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
pub(crate) const INSERT_REFRESH_TOKEN: &str = "insert into refresh_token (tenant_id, token_hash, family_id, issued_at, \
    expires_at, rotated_at) values ($1, $2, $3, $4, $5, $6)";
pub(crate) const FIND_REFRESH_TOKEN: &str = "select t.tenant_id, t.token_hash, t.family_id, t.issued_at, \
    t.expires_at as token_expires_at, t.rotated_at, f.client_id, f.user_id, f.scope, f.auth_time, f.sid, f.created_at, \
    f.expires_at, f.revoked_at, f.dpop_jkt, f.resources, f.acr, f.userinfo_claims, f.authorization_details \
    from refresh_token t join refresh_family f \
    on f.tenant_id = t.tenant_id and f.family_id = t.family_id where t.tenant_id = $1 and t.token_hash = $2";
// Compare-and-set: only the live head can be rotated (house style 22).
pub(crate) const MARK_REFRESH_ROTATED: &str = "update refresh_token set rotated_at = $3 \
    where tenant_id = $1 and token_hash = $2 and rotated_at is null";
pub(crate) const REVOKE_FAMILY_OF_TOKEN: &str = "update refresh_family set revoked_at = $3 where tenant_id = $1 \
    and revoked_at is null and family_id = (select family_id from refresh_token where tenant_id = $1 and token_hash = $2)";
pub(crate) const REVOKE_REFRESH_FAMILY: &str = "update refresh_family set revoked_at = $3 \
    where tenant_id = $1 and family_id = $2 and revoked_at is null";
pub(crate) const REVOKE_USER_REFRESH_FAMILIES: &str = "update refresh_family set revoked_at = $3 \
    where tenant_id = $1 and user_id = $2 and revoked_at is null";
pub(crate) const NARROW_USER_REFRESH_FAMILIES: &str = "update refresh_family \
    set scope = trim(replace(' ' || scope || ' ', ' ' || $3 || ' ', ' ')) \
    where tenant_id = $1 and user_id = $2 and revoked_at is null and (' ' || scope || ' ') like ('% ' || $3 || ' %')";
pub(crate) const REVOKE_CLIENT_REFRESH_FAMILIES: &str = "update refresh_family set revoked_at = $4 \
    where tenant_id = $1 and user_id = $2 and client_id = $3 and revoked_at is null";

pub(crate) const SELECT_CONSENT: &str =
    "select scope from consent where tenant_id = $1 and user_id = $2 and client_id = $3";
pub(crate) const UPSERT_CONSENT: &str = "insert into consent (tenant_id, user_id, client_id, scope, granted_at) \
    values ($1, $2, $3, $4, $5) on conflict (tenant_id, user_id, client_id) do update set scope = excluded.scope, \
    granted_at = excluded.granted_at";
pub(crate) const LIST_CONSENTS: &str =
    "select client_id, scope, granted_at from consent where tenant_id = $1 and user_id = $2 order by client_id";
pub(crate) const DELETE_CONSENT: &str = "delete from consent where tenant_id = $1 and user_id = $2 and client_id = $3";

macro_rules! delegation_columns {
    () => {
        "tenant_id, delegation_id, user_id, agent_id, scope, audiences, created_at, expires_at, revoked_at"
    };
}
pub(crate) const INSERT_DELEGATION: &str =
    concat!("insert into delegation (", delegation_columns!(), ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
pub(crate) const SELECT_DELEGATION: &str =
    concat!("select ", delegation_columns!(), " from delegation where tenant_id = $1 and delegation_id = $2");
pub(crate) const LIST_USER_DELEGATIONS: &str = concat!(
    "select ",
    delegation_columns!(),
    " from delegation where tenant_id = $1 and user_id = $2 order by created_at desc, delegation_id"
);
pub(crate) const ACTIVE_DELEGATIONS: &str = concat!(
    "select ",
    delegation_columns!(),
    " from delegation where tenant_id = $1 and user_id = $2 and agent_id = $3 and revoked_at is null \
    and expires_at > $4 order by created_at desc, delegation_id"
);
pub(crate) const LIVE_AGENT_DELEGATIONS: &str = concat!(
    "select ",
    delegation_columns!(),
    " from delegation where tenant_id = $1 and agent_id = $2 and revoked_at is null and expires_at > $3 \
    order by created_at desc, delegation_id"
);
pub(crate) const REVOKE_DELEGATION: &str = "update delegation set revoked_at = $3 \
    where tenant_id = $1 and delegation_id = $2 and revoked_at is null";

// Taking the head in one statement: it creates the tenant's head at the genesis hash or advances
// it by $3 events, locks the row (Postgres) or the database (SQLite) until commit, and returns the
// new last sequence number with the previous event's hash; the new hash is written once the
// events are sealed.
pub(crate) const ADVANCE_AUDIT_HEAD: &str = "insert into audit_head (tenant_id, seq, hash) values ($1, $3, $2) \
    on conflict (tenant_id) do update set seq = audit_head.seq + excluded.seq returning seq, hash";
pub(crate) const SET_AUDIT_HEAD_HASH: &str = "update audit_head set hash = $2 where tenant_id = $1";
pub(crate) const SELECT_AUDIT_HEAD: &str = "select seq, hash from audit_head where tenant_id = $1 and seq > 0";
macro_rules! audit_columns {
    () => {
        "tenant_id, seq, time_ms, event_type, user_id, client_id, actors, delegation_id, scope, audience, ip, \
        user_agent, decision, reason, prev_hash, hash, form, subject, personal, grant_type"
    };
}
/// The start of a multi-row insert; the rows follow as `VALUES (…), (…)`.
pub(crate) const INSERT_AUDIT_EVENTS: &str = concat!("insert into audit_event (", audit_columns!(), ") ");
// Postgres only: advance the head if it is still the remembered one, and insert the events if
// it was (`with advanced as (update ... set seq = $, hash = $ where tenant_id = $ and seq = $
// and hash = $ returning 1), inserted as (insert ... select * from (values ...) where exists
// (advanced)) select count(*) from advanced`; the caller closes `advanced` with `returning 1)`).
pub(crate) const ADVANCE_AUDIT_HEAD_IF: &str = "with advanced as (update audit_head set seq = ";
pub(crate) const THEN_INSERT_AUDIT_EVENTS: &str =
    concat!(", inserted as (insert into audit_event (", audit_columns!(), ") select * from (");
// ... and, between the two, the refresh families a batch of token requests started, with their
// first tokens, on the same condition (`families as (insert ... select * from (values ...) as f
// where exists (advanced)), tokens as (...)`).
pub(crate) const THEN_INSERT_REFRESH_FAMILIES: &str = ", families as (insert into refresh_family (tenant_id, \
    family_id, client_id, user_id, scope, auth_time, sid, created_at, expires_at, revoked_at, dpop_jkt, resources, acr, \
    userinfo_claims, authorization_details) select * from (";
pub(crate) const IF_ADVANCED_THEN_INSERT_REFRESH_TOKENS: &str = ") as f where exists (select 1 from advanced)), \
    tokens as (insert into refresh_token (tenant_id, token_hash, family_id, issued_at, expires_at, rotated_at) \
    select * from (";
pub(crate) const IF_ADVANCED_END: &str = ") as t where exists (select 1 from advanced))";
pub(crate) const IF_ADVANCED: &str = ") as events where exists (select 1 from advanced)) select count(*) from advanced";
pub(crate) const AUDIT_CHAIN: &str =
    concat!("select ", audit_columns!(), " from audit_event where tenant_id = $1 and seq > $2 order by seq limit $3");
pub(crate) const AUDIT_COUNTS: &str = "select event_type, decision, grant_type, count(*) from audit_event \
    where tenant_id = $1 and time_ms >= $2 and time_ms < $3 group by event_type, decision, grant_type \
    order by event_type, decision, coalesce(grant_type, '')";
// Optional filters: a null parameter disables its predicate. A user is matched by the clear id
// (events written before migration 0025) or by the pseudonym (sealed events). The agent matches the requesting
// client or any member of the stored actor chain (a JSON array of ids, which never hold quotes).
pub(crate) const QUERY_AUDIT: &str = concat!(
    "select ",
    audit_columns!(),
    " from audit_event where tenant_id = $1 and seq > $2 \
    and (($3 is null and $9 is null) or user_id = $3 or subject = $9) \
    and ($4 is null or client_id = $4 or actors like '%\"' || $4 || '\"%') \
    and ($5 is null or event_type = $5) \
    and ($6 is null or time_ms >= $6) and ($7 is null or time_ms < $7) \
    order by seq limit $8"
);

// Data keys: create-if-absent is an insert that does nothing on conflict, then a read of
// whichever key is stored, so two nodes creating a user's key at once end up with the same one.
pub(crate) const SELECT_DATA_KEY: &str = "select sealed_key from user_data_key where tenant_id = $1 and subject = $2";
pub(crate) const INSERT_DATA_KEY: &str = "insert into user_data_key (tenant_id, subject, sealed_key, created_at) \
    values ($1, $2, $3, $4) on conflict (tenant_id, subject) do nothing";
pub(crate) const DELETE_DATA_KEY: &str = "delete from user_data_key where tenant_id = $1 and subject = $2";

macro_rules! resource_columns {
    () => {
        "tenant_id, resource_id, identifier, name, scopes, access_token_lifetime, created_at, updated_at, \
         introspection_auth_method, jwks_uri, jwks"
    };
}
pub(crate) const INSERT_RESOURCE: &str = concat!(
    "insert into resource (",
    resource_columns!(),
    ", secret_hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
);
pub(crate) const SELECT_RESOURCE: &str =
    concat!("select ", resource_columns!(), " from resource where tenant_id = $1 and resource_id = $2");
pub(crate) const FIND_RESOURCE: &str =
    concat!("select ", resource_columns!(), " from resource where tenant_id = $1 and identifier = $2");
pub(crate) const LIST_RESOURCES: &str =
    concat!("select ", resource_columns!(), " from resource where tenant_id = $1 order by resource_id");
pub(crate) const UPDATE_RESOURCE: &str = "update resource set identifier = $3, name = $4, scopes = $5, \
    access_token_lifetime = $6, updated_at = $7, introspection_auth_method = $8, jwks_uri = $9, jwks = $10 \
    where tenant_id = $1 and resource_id = $2";
pub(crate) const SET_RESOURCE_SECRET: &str =
    "update resource set secret_hash = $3, updated_at = $4 where tenant_id = $1 and resource_id = $2";
pub(crate) const SELECT_RESOURCE_SECRET: &str =
    "select secret_hash from resource where tenant_id = $1 and resource_id = $2";
pub(crate) const DELETE_RESOURCE: &str = "delete from resource where tenant_id = $1 and resource_id = $2";

macro_rules! factor_columns {
    () => {
        "tenant_id, factor_id, user_id, kind, name, lookup, data, created_at, last_used_at"
    };
}
pub(crate) const INSERT_FACTOR: &str =
    concat!("insert into factor (", factor_columns!(), ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
pub(crate) const LIST_USER_FACTORS: &str = concat!(
    "select ",
    factor_columns!(),
    " from factor where tenant_id = $1 and user_id = $2 order by created_at, factor_id"
);
pub(crate) const FIND_FACTOR: &str =
    concat!("select ", factor_columns!(), " from factor where tenant_id = $1 and kind = $2 and lookup = $3");
pub(crate) const REPLACE_FACTOR_DATA: &str =
    "update factor set data = $4, last_used_at = $5 where tenant_id = $1 and factor_id = $2 and data = $3";
pub(crate) const DELETE_FACTOR: &str = "delete from factor where tenant_id = $1 and user_id = $2 and factor_id = $3";
pub(crate) const DELETE_USER_FACTORS: &str =
    "delete from factor where tenant_id = $1 and user_id = $2 and ($3 is null or kind = $3)";
pub(crate) const SELECT_SIGN_IN_PROFILE: &str =
    "select data from sign_in_profile where tenant_id = $1 and user_id = $2";
pub(crate) const UPSERT_SIGN_IN_PROFILE: &str = "insert into sign_in_profile (tenant_id, user_id, data) values ($1, $2, $3) \
     on conflict (tenant_id, user_id) do update set data = excluded.data";

macro_rules! mail_columns {
    () => {
        "tenant_id, mail_id, sealed, state, attempts, created_at, next_attempt_at, expires_at, claim, locked_until, \
        last_error"
    };
}
pub(crate) const INSERT_MAIL: &str =
    concat!("insert into mail_outbox (", mail_columns!(), ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
pub(crate) const SELECT_MAIL: &str =
    concat!("select ", mail_columns!(), " from mail_outbox where tenant_id = $1 and mail_id = $2");
// Compare-and-set, in one statement on both dialects (no `for update`, which SQLite lacks): the
// outer predicate repeats the inner one, so when two claimers race for a row on Postgres, the
// second re-checks it against the row the first one committed (now held) and skips it.
pub(crate) const CLAIM_MAIL: &str = concat!(
    "update mail_outbox set claim = $1, locked_until = $3, attempts = attempts + 1 \
     where (tenant_id, mail_id) in (select tenant_id, mail_id from mail_outbox \
        where state = 'pending' and next_attempt_at <= $2 and (locked_until is null or locked_until <= $2) \
        order by next_attempt_at, created_at limit $4) \
     and state = 'pending' and next_attempt_at <= $2 and (locked_until is null or locked_until <= $2) \
     returning ",
    mail_columns!()
);
pub(crate) const DELETE_CLAIMED_MAIL: &str =
    "delete from mail_outbox where tenant_id = $1 and mail_id = $2 and claim = $3 and state = 'pending'";
pub(crate) const RELEASE_FAILED_MAIL: &str = "update mail_outbox set claim = null, locked_until = null, \
    next_attempt_at = coalesce($4, next_attempt_at), \
    state = case when $4 is null then 'failed' else 'pending' end, last_error = $5 \
    where tenant_id = $1 and mail_id = $2 and claim = $3 and state = 'pending'";
pub(crate) const PURGE_FAILED_MAIL: &str = "delete from mail_outbox where state = 'failed' and created_at < $1";

pub(crate) const INSERT_INVITATION: &str = "insert into invitation (tenant_id, invitation_id, email, email_normalized, \
    token_hash, created_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7)";
macro_rules! invitation_columns {
    () => {
        "select tenant_id, invitation_id, email, email_normalized, created_at, expires_at, used_at, user_id, \
         revoked_at from invitation"
    };
}
pub(crate) const LIST_INVITATIONS: &str =
    concat!(invitation_columns!(), " where tenant_id = $1 and invitation_id > $2 order by invitation_id limit $3");
pub(crate) const SELECT_INVITATION: &str =
    concat!(invitation_columns!(), " where tenant_id = $1 and invitation_id = $2");
pub(crate) const FIND_INVITATION: &str = concat!(invitation_columns!(), " where tenant_id = $1 and token_hash = $2");
pub(crate) const USE_INVITATION: &str = "update invitation set used_at = $4, user_id = $3 where tenant_id = $1 \
    and invitation_id = $2 and used_at is null and revoked_at is null and expires_at > $4";
pub(crate) const REVOKE_INVITATION: &str = "update invitation set revoked_at = $3 where tenant_id = $1 \
    and invitation_id = $2 and used_at is null and revoked_at is null";

pub(crate) const INSERT_IDENTITY_PROVIDER: &str = "insert into identity_provider (tenant_id, provider_id, config, \
    sealed_secret, created_at, updated_at) values ($1, $2, $3, $4, $5, $6)";
macro_rules! identity_provider_columns {
    () => {
        "select tenant_id, provider_id, config, sealed_secret, created_at, updated_at from identity_provider"
    };
}
pub(crate) const SELECT_IDENTITY_PROVIDER: &str =
    concat!(identity_provider_columns!(), " where tenant_id = $1 and provider_id = $2");
pub(crate) const LIST_IDENTITY_PROVIDERS: &str =
    concat!(identity_provider_columns!(), " where tenant_id = $1 order by provider_id");
pub(crate) const UPDATE_IDENTITY_PROVIDER: &str = "update identity_provider set config = $3, sealed_secret = $4, \
    updated_at = $5 where tenant_id = $1 and provider_id = $2";
pub(crate) const DELETE_IDENTITY_PROVIDER: &str =
    "delete from identity_provider where tenant_id = $1 and provider_id = $2";
pub(crate) const DELETE_PROVIDER_IDENTITIES: &str =
    "delete from federated_identity where tenant_id = $1 and provider_id = $2";
pub(crate) const INSERT_FEDERATED_IDENTITY: &str = "insert into federated_identity (tenant_id, provider_id, subject, \
    user_id, email, linked_at) values ($1, $2, $3, $4, $5, $6)";
macro_rules! federated_identity_columns {
    () => {
        "select tenant_id, provider_id, subject, user_id, email, linked_at from federated_identity"
    };
}
pub(crate) const FIND_FEDERATED_IDENTITY: &str =
    concat!(federated_identity_columns!(), " where tenant_id = $1 and provider_id = $2 and subject = $3");
pub(crate) const LIST_USER_IDENTITIES: &str =
    concat!(federated_identity_columns!(), " where tenant_id = $1 and user_id = $2 order by provider_id, subject");
pub(crate) const DELETE_FEDERATED_IDENTITY: &str = "delete from federated_identity where tenant_id = $1 \
    and user_id = $2 and provider_id = $3 and subject = $4";

pub(crate) const INSERT_DETAIL_TYPE: &str = "insert into authorization_detail_type (tenant_id, type_id, spec, \
    created_at, updated_at) values ($1, $2, $3, $4, $5)";
pub(crate) const LIST_DETAIL_TYPES: &str = "select tenant_id, type_id, spec, created_at, updated_at \
    from authorization_detail_type where tenant_id = $1 order by type_id";
pub(crate) const UPDATE_DETAIL_TYPE: &str = "update authorization_detail_type set spec = $3, updated_at = $4 \
    where tenant_id = $1 and type_id = $2";
pub(crate) const DELETE_DETAIL_TYPE: &str =
    "delete from authorization_detail_type where tenant_id = $1 and type_id = $2";
pub(crate) const INSERT_PURPOSE: &str = "insert into purpose (tenant_id, purpose_id, spec, version, digest, created_at, \
    updated_at) values ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const LIST_PURPOSES: &str = "select tenant_id, purpose_id, spec, version, digest, created_at, updated_at \
    from purpose where tenant_id = $1 order by purpose_id";
pub(crate) const UPDATE_PURPOSE: &str = "update purpose set spec = $3, version = $4, digest = $5, updated_at = $6 \
    where tenant_id = $1 and purpose_id = $2";
pub(crate) const DELETE_PURPOSE: &str = "delete from purpose where tenant_id = $1 and purpose_id = $2";

macro_rules! consent_event_columns {
    () => {
        "tenant_id, user_id, action, purpose_id, version, digest, client_id, scope, channel, via_client, ip, at"
    };
}
pub(crate) const INSERT_CONSENT_EVENT: &str = concat!(
    "insert into consent_event (",
    consent_event_columns!(),
    ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning seq"
);
pub(crate) const CONSENT_HISTORY: &str = concat!(
    "select seq, ",
    consent_event_columns!(),
    " from consent_event where tenant_id = $1 and user_id = $2 and seq > $3 order by seq limit $4"
);
pub(crate) const UPSERT_PURPOSE_CONSENT: &str = "insert into purpose_consent (tenant_id, user_id, purpose_id, \
    version, granted, at) values ($1, $2, $3, $4, $5, $6) on conflict (tenant_id, user_id, purpose_id) do update \
    set version = excluded.version, granted = excluded.granted, at = excluded.at";
pub(crate) const LIST_PURPOSE_CONSENTS: &str = "select purpose_id, version, granted, at from purpose_consent \
    where tenant_id = $1 and user_id = $2 order by purpose_id";
pub(crate) const PURPOSE_REPORT: &str = "select version, granted, count(*) from purpose_consent \
    where tenant_id = $1 and purpose_id = $2 group by version, granted order by version";
pub(crate) const INSERT_OUTBOX_EVENT: &str = "insert into event_outbox (tenant_id, event_id, event_type, subject, \
    data, created_at) values ($1, $2, $3, $4, $5, $6)";
pub(crate) const LIST_OUTBOX_EVENTS: &str = "select pos, tenant_id, event_id, event_type, subject, data, created_at \
    from event_outbox where tenant_id = $1 and pos > $2 order by pos limit $3";

pub(crate) const INSERT_TOMBSTONE: &str = "insert into user_tombstone (tenant_id, user_id, erased_at) \
    values ($1, $2, $3) on conflict (tenant_id, user_id) do nothing";
pub(crate) const DELETE_USER_INVITATIONS: &str = "delete from invitation where tenant_id = $1 and user_id = $2";
pub(crate) const SELECT_TOMBSTONE: &str = "select erased_at from user_tombstone where tenant_id = $1 and user_id = $2";
pub(crate) const UPSERT_ERASURE_REQUEST: &str = "insert into erasure_request (tenant_id, user_id, requested_at, \
    due_at) values ($1, $2, $3, $4) on conflict (tenant_id, user_id) do update set requested_at = excluded.requested_at, \
    due_at = excluded.due_at";
pub(crate) const SELECT_ERASURE_DUE: &str = "select due_at from erasure_request where tenant_id = $1 and user_id = $2";
pub(crate) const DELETE_ERASURE_REQUEST: &str = "delete from erasure_request where tenant_id = $1 and user_id = $2";
pub(crate) const DUE_ERASURES: &str =
    "select user_id from erasure_request where tenant_id = $1 and due_at <= $2 order by due_at limit $3";
pub(crate) const UNVERIFIED_USERS: &str = "select user_id from user_account where tenant_id = $1 \
    and email_verified = $2 and source = 'sign_up' and created_at < $3 order by created_at limit $4";
pub(crate) const PURGE_ENDED_FAMILIES: &str = "delete from refresh_family where (tenant_id, family_id) in \
    (select tenant_id, family_id from refresh_family where tenant_id = $1 and coalesce(revoked_at, expires_at) < $2 \
    limit $3)";
pub(crate) const PURGE_ENDED_DELEGATIONS: &str = "delete from delegation where (tenant_id, delegation_id) in \
    (select tenant_id, delegation_id from delegation where tenant_id = $1 \
    and coalesce(revoked_at, expires_at) < $2 limit $3)";
pub(crate) const OLDEST_AUDIT_EVENTS: &str =
    "select seq, time_ms, hash from audit_event where tenant_id = $1 order by seq limit $2";
pub(crate) const DELETE_AUDIT_PREFIX: &str = "delete from audit_event where tenant_id = $1 and seq <= $2";
pub(crate) const UPSERT_AUDIT_HORIZON: &str = "insert into audit_horizon (tenant_id, seq, hash) values ($1, $2, $3) \
    on conflict (tenant_id) do update set seq = excluded.seq, hash = excluded.hash";
pub(crate) const SELECT_AUDIT_HORIZON: &str = "select seq, hash from audit_horizon where tenant_id = $1";

pub(crate) const INSERT_PLACEMENT: &str = "insert into tenant_placement (tenant_id, region, moving_to, move_step, \
    move_started_at, updated_at) values ($1, $2, null, null, null, $3)";
macro_rules! placement_columns {
    () => {
        "tenant_id, region, moving_to, move_step, move_started_at, updated_at"
    };
}
pub(crate) const SELECT_PLACEMENT: &str =
    concat!("select ", placement_columns!(), " from tenant_placement where tenant_id = $1");
pub(crate) const LIST_PLACEMENTS: &str =
    concat!("select ", placement_columns!(), " from tenant_placement order by tenant_id");
pub(crate) const UPDATE_PLACEMENT: &str = "update tenant_placement set region = $2, moving_to = $3, move_step = $4, \
    move_started_at = $5, updated_at = $6 where tenant_id = $1";
pub(crate) const DELETE_PLACEMENT: &str = "delete from tenant_placement where tenant_id = $1";
pub(crate) const SELECT_PLACEMENTS_VERSION: &str = "select version from placement_version where id = 1";
pub(crate) const BUMP_PLACEMENTS_VERSION: &str = "update placement_version set version = version + 1 where id = 1";
