-- The placement directory: the region each tenant lives in, and the move under way, if any
-- (moving_to, the last step completed, when the move started: all set or none). It is read from
-- the control region's database only, while a tenant's rows live in its region's database: so
-- no foreign key to tenant. It holds no names, no settings, no personal data.
create table tenant_placement (
    tenant_id       text    not null primary key,
    region          text    not null,
    moving_to       text,
    move_step       text,
    move_started_at bigint,
    updated_at      bigint  not null,
    check ((moving_to is null) = (move_step is null) and (moving_to is null) = (move_started_at is null))
);

-- A counter every change to tenant_placement bumps in the same transaction, so nodes reload the
-- directory only when it changed.
create table placement_version (
    id      integer not null primary key check (id = 1),
    version bigint  not null
);
insert into placement_version (id, version) values (1, 0);

-- The tenants of a single-region deployment live where they are.
insert into tenant_placement (tenant_id, region, moving_to, move_step, move_started_at, updated_at)
    select tenant_id, home_region, null, null, null, updated_at from tenant;
