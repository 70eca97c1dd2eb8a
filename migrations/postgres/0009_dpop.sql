-- Per client: access tokens must be bound to a DPoP proof key (RFC 9449 §5.2).
alter table client add column dpop_bound_access_tokens boolean not null default false;
