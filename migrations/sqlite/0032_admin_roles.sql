-- Administrators' roles. The control tenant (tenant_id) keeps them: an assignment gives a
-- principal (`user:{id}` or `service_account:{client_id}`) a role for one tenant (scope = its
-- id) or for the whole deployment (scope = '*'); a custom role is a named set of permissions
-- (space-separated).
create table admin_role_assignment (
    tenant_id     text   not null references tenant (tenant_id) on delete cascade,
    assignment_id text   not null,
    principal     text   not null,
    scope         text   not null,
    role          text   not null,
    created_at    bigint not null,
    primary key (tenant_id, assignment_id)
);
create unique index admin_role_assignment_once on admin_role_assignment (tenant_id, principal, scope, role);
create index admin_role_assignment_scope on admin_role_assignment (tenant_id, scope, assignment_id);

create table admin_role (
    tenant_id   text   not null references tenant (tenant_id) on delete cascade,
    name        text   not null,
    description text   not null,
    permissions text   not null,
    created_at  bigint not null,
    updated_at  bigint not null,
    primary key (tenant_id, name)
);
