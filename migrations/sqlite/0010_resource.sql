-- Resources (APIs) tokens are issued for (RFC 8707): the audience URI, the scopes it defines
-- and the lifetime of its access tokens.
create table resource (
    tenant_id             text    not null references tenant (tenant_id) on delete cascade,
    resource_id           text    not null,
    identifier            text    not null,
    name                  text    not null,
    scopes                text    not null,
    access_token_lifetime integer not null,
    created_at            integer not null,
    updated_at            integer not null,
    primary key (tenant_id, resource_id),
    unique (tenant_id, identifier)
);
