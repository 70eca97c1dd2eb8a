-- Consent purposes, the append-only consent ledger (with each user's latest answer per purpose)
-- and the outbox of events for downstream systems.
create table purpose (
    tenant_id  text    not null references tenant (tenant_id) on delete cascade,
    purpose_id text    not null,
    spec       text    not null,
    version    bigint not null,
    digest     text    not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, purpose_id)
);

-- Rows are only ever inserted; they go with their user (deletion, erasure).
create table consent_event (
    seq        bigserial primary key,
    tenant_id  text    not null,
    user_id    text    not null,
    action     text    not null,
    purpose_id text,
    version    bigint,
    digest     text,
    client_id  text,
    scope      text,
    channel    text    not null,
    via_client text,
    ip         text,
    at         bigint not null,
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade
);
create index consent_event_user on consent_event (tenant_id, user_id, seq);

create table purpose_consent (
    tenant_id  text    not null,
    user_id    text    not null,
    purpose_id text    not null,
    version    bigint not null,
    granted    boolean not null,
    at         bigint not null,
    primary key (tenant_id, user_id, purpose_id),
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade
);
create index purpose_consent_version on purpose_consent (tenant_id, purpose_id, version);

create table event_outbox (
    pos        bigserial primary key,
    tenant_id  text    not null references tenant (tenant_id) on delete cascade,
    event_id   text    not null,
    event_type text    not null,
    subject    text    not null,
    data       text    not null,
    created_at bigint not null
);
create index event_outbox_tenant on event_outbox (tenant_id, pos);

-- The consents remembered so far open each user's ledger.
insert into consent_event (tenant_id, user_id, action, client_id, scope, channel, at)
    select tenant_id, user_id, 'granted', client_id, scope, 'authorize', granted_at from consent
    order by granted_at;
