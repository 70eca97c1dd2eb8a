-- AI agents: a client with an agent profile (owner, ceilings, status) as JSON.
alter table client add column agent text;

-- Delegations: a user's approval for an agent to act for them, until revoked or expired.
create table delegation (
    tenant_id     text    not null,
    delegation_id text    not null,
    user_id       text    not null,
    agent_id      text    not null,
    scope         text    not null,
    audiences     text    not null,
    created_at    integer not null,
    expires_at    integer not null,
    revoked_at    integer,
    primary key (tenant_id, delegation_id),
    -- Deleting the user or the agent ends its delegations (and so every token derived from them).
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade,
    foreign key (tenant_id, agent_id) references client (tenant_id, client_id) on delete cascade
);

create index delegation_user_agent on delegation (tenant_id, user_id, agent_id);

-- The audit trail: per-tenant hash chain. The head row serialises appends (every append
-- updates it first, which takes its row lock) and records the newest event, so deleting the
-- newest events is detected as well as editing or deleting older ones.
create table audit_head (
    tenant_id text    not null primary key references tenant (tenant_id) on delete cascade,
    seq       integer not null,
    hash      text    not null
);

-- No foreign keys to users or clients: the trail outlives what it describes.
create table audit_event (
    tenant_id     text    not null references tenant (tenant_id) on delete cascade,
    seq           integer not null,
    time_ms       integer not null,
    event_type    text    not null,
    user_id       text,
    client_id     text,
    actors        text    not null,
    delegation_id text,
    scope         text,
    audience      text,
    ip            text,
    user_agent    text,
    decision      text    not null,
    reason        text,
    prev_hash     text    not null,
    hash          text    not null,
    primary key (tenant_id, seq)
);

create index audit_event_user on audit_event (tenant_id, user_id, seq);
create index audit_event_time on audit_event (tenant_id, time_ms);
