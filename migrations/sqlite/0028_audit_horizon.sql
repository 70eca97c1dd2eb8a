-- The last audit event retention removed, per tenant: the trail is verified from it on.
create table audit_horizon (
    tenant_id text    not null primary key references tenant (tenant_id) on delete cascade,
    seq       integer not null,
    hash      text    not null
);
