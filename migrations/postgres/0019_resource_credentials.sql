-- A resource's own credentials for the introspection endpoint: how it authenticates
-- (client_secret_basic or private_key_jwt; null: it does not introspect), its public keys, and
-- the hash of its server-generated secret.
alter table resource add column introspection_auth_method text;
alter table resource add column jwks_uri text;
alter table resource add column jwks text;
alter table resource add column secret_hash text;
