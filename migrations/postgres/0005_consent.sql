-- Consents a user gave a client: the scopes granted, remembered until revoked.
create table consent (
    tenant_id  text    not null,
    user_id    text    not null,
    client_id  text    not null,
    scope      text    not null,
    granted_at bigint  not null,
    primary key (tenant_id, user_id, client_id),
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade,
    foreign key (tenant_id, client_id) references client (tenant_id, client_id) on delete cascade
);
