-- Per client: access tokens must be bound to a DPoP proof key (RFC 9449 §5.2).
alter table client add column dpop_bound_access_tokens boolean not null default false;
-- Refresh tokens of public clients bound to the DPoP key of the request that started the grant.
alter table refresh_family add column dpop_jkt text;
