-- Refresh-token families and their tokens (stored only as SHA-256 hashes).
create table refresh_family (
    tenant_id  text    not null references tenant (tenant_id) on delete cascade,
    family_id  text    not null,
    client_id  text    not null,
    user_id    text    not null,
    scope      text    not null,
    auth_time  bigint  not null,
    sid        text,
    created_at bigint  not null,
    expires_at bigint  not null,
    revoked_at bigint,
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
    issued_at  bigint  not null,
    expires_at bigint  not null,
    rotated_at bigint,
    primary key (tenant_id, token_hash),
    foreign key (tenant_id, family_id) references refresh_family (tenant_id, family_id) on delete cascade
);
