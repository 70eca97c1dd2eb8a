-- Upstream identity providers of a tenant (OpenID Connect sign-in through another issuer) and the
-- links between their accounts and the tenant's users. `config` is the provider's settings as
-- JSON; `sealed_secret` its client secret, sealed with the master key. A link is found by the
-- upstream account (provider, subject) and goes with its provider or its user.
create table identity_provider (
    tenant_id     text    not null references tenant (tenant_id) on delete cascade,
    provider_id   text    not null,
    config        text    not null,
    sealed_secret text,
    created_at    bigint not null,
    updated_at    bigint not null,
    primary key (tenant_id, provider_id)
);

create table federated_identity (
    tenant_id   text    not null,
    provider_id text    not null,
    subject     text    not null,
    user_id     text    not null,
    email       text,
    linked_at   bigint not null,
    primary key (tenant_id, provider_id, subject),
    foreign key (tenant_id, provider_id) references identity_provider (tenant_id, provider_id) on delete cascade,
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade
);
create index federated_identity_user on federated_identity (tenant_id, user_id);
