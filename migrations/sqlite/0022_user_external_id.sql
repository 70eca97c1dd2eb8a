-- The id a user had in the system they were imported from, unique per tenant, so that importing
-- the same export again finds them instead of creating them twice.
create table user_external_id (
    tenant_id   text not null,
    external_id text not null,
    user_id     text not null,
    primary key (tenant_id, external_id),
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade
);
create index user_external_id_user on user_external_id (tenant_id, user_id);
