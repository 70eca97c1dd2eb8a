-- Clients registered dynamically (RFC 7591) manage themselves with a registration access token
-- (RFC 7592), kept only as its SHA-256.
alter table client add column registration_token_hash text;
