-- Per client: opaque access tokens (checked by introspection) instead of JWTs.
alter table client add column opaque_access_tokens boolean not null default false;
