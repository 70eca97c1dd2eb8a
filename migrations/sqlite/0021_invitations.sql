-- Invitations to sign up: an administrator's single-use link for one address. Only the hash of
-- the link's token is kept. A row is used (used_at, user_id) or withdrawn (revoked_at) once.
create table invitation (
    tenant_id   text    not null references tenant (tenant_id) on delete cascade,
    invitation_id text  not null,
    email       text    not null,
    email_normalized text not null,
    token_hash  text    not null,
    created_at  integer not null,
    expires_at  integer not null,
    used_at     integer,
    user_id     text,
    revoked_at  integer,
    primary key (tenant_id, invitation_id)
);
create unique index invitation_token on invitation (tenant_id, token_hash);
