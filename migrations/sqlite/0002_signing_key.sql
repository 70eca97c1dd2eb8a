-- Signing keys per tenant: public JWK in clear, private key sealed under the master key.
create table signing_key (
    tenant_id      text    not null references tenant (tenant_id) on delete cascade,
    kid            text    not null,
    alg            text    not null,
    state          text    not null,
    public_jwk     text    not null,
    sealed_private text    not null,
    created_at     integer not null,
    activated_at   integer,
    retired_at     integer,
    primary key (tenant_id, kid)
);

-- At most one active and one next key per tenant and algorithm.
create unique index signing_key_one_per_state on signing_key (tenant_id, alg, state) where state <> 'retired';
