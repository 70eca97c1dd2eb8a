-- Revoked JWT access tokens by jti, kept until the token would have expired anyway.
-- Introspection reads this table on every call: revocation is never cached per node.
create table revoked_token (
    tenant_id  text    not null references tenant (tenant_id) on delete cascade,
    jti        text    not null,
    expires_at bigint  not null,
    primary key (tenant_id, jti)
);

create index revoked_token_expiry on revoked_token (expires_at);
