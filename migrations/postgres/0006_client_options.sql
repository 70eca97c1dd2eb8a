-- Per-client protocol options: PAR required (RFC 9126 §6) and the ID token algorithm.
alter table client add column require_pushed_authorization_requests boolean not null default false;
alter table client add column id_token_signed_response_alg text;
