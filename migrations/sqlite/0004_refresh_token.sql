-- Refresh-token families and their tokens (stored only as SHA-256 hashes).
create table refresh_family (
    tenant_id  text    not null references tenant (tenant_id) on delete cascade,
    family_id  text    not null,
    client_id  text    not null,
    user_id    text    not null,
    scope      text    not null,
    auth_time  integer not null,
    sid        text,
    created_at integer not null,
    expires_at integer not null,
    revoked_at integer,
    primary key (tenant_id, family_id),
    -- Deleting the user or the client ends the grant.
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade,
    foreign key (tenant_id, client_id) references client (tenant_id, client_id) on delete cascade
);

create index refresh_family_user on refresh_family (tenant_id, user_id);

create table refresh_token (
    tenant_id  text    not null,
    token_hash text    not null,
    family_id  text    not null,
    issued_at  integer not null,
    expires_at integer not null,
    rotated_at integer,
    primary key (tenant_id, token_hash),
    foreign key (tenant_id, family_id) references refresh_family (tenant_id, family_id) on delete cascade
);
