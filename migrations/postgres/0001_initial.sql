-- Tenants, users, password credentials and clients.
-- Portable column types shared with migrations/sqlite: ids as text, times as bigint unix seconds
-- (one row mapping for both dialects), JSON documents as text. Every key starts with tenant_id.

create table tenant (
    tenant_id    text    not null primary key,
    display_name text    not null,
    home_region  text    not null,
    settings     text    not null,
    created_at   bigint  not null,
    updated_at   bigint  not null
);

create table user_account (
    tenant_id        text    not null references tenant (tenant_id) on delete cascade,
    user_id          text    not null,
    email            text    not null,
    email_normalized text    not null,
    email_verified   boolean not null,
    status           text    not null,
    profile          text    not null,
    created_at       bigint  not null,
    updated_at       bigint  not null,
    primary key (tenant_id, user_id),
    unique (tenant_id, email_normalized)
);

create table password_credential (
    tenant_id  text    not null,
    user_id    text    not null,
    phc        text    not null,
    updated_at bigint  not null,
    primary key (tenant_id, user_id),
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade
);

create table client (
    tenant_id                  text    not null references tenant (tenant_id) on delete cascade,
    client_id                  text    not null,
    name                       text    not null,
    client_type                text    not null,
    redirect_uris              text    not null,
    post_logout_redirect_uris  text    not null,
    grant_types                text    not null,
    token_endpoint_auth_method text    not null,
    scopes                     text    not null,
    jwks_uri                   text,
    jwks                       text,
    secret_hash                text,
    secret_updated_at          bigint,
    created_at                 bigint  not null,
    updated_at                 bigint  not null,
    primary key (tenant_id, client_id)
);
