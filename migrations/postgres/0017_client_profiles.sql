-- A client's security profile (null: the tenant's default); for an ordinary confidential client,
-- the token exchanges it may make (JSON: audiences, delegate or impersonate); whether its
-- authorization requests must be signed request objects (RFC 9101); and the algorithm of its
-- signed authorization responses (JARM).
alter table client add column security_profile text;
alter table client add column token_exchange text;
alter table client add column require_signed_request_object boolean not null default false;
alter table client add column authorization_signed_response_alg text;
