-- Rich authorization requests (RFC 9396): the types of authorization details a tenant accepts
-- (JSON Schema, narrowing rules, templates per language, as JSON), and the details a refresh
-- grant carries (a JSON array, null for grants without any).
create table authorization_detail_type (
    tenant_id  text    not null references tenant (tenant_id) on delete cascade,
    type_id    text    not null,
    spec       text    not null,
    created_at bigint not null,
    updated_at bigint not null,
    primary key (tenant_id, type_id)
);

alter table refresh_family add column authorization_details text;
