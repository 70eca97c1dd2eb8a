-- Erased users leave a tombstone (no personal data): their id is never used again.
create table user_tombstone (
    tenant_id text   not null references tenant (tenant_id) on delete cascade,
    user_id   text   not null,
    erased_at bigint not null,
    primary key (tenant_id, user_id)
);

create function user_tombstone_guard() returns trigger language plpgsql as $$
begin
    if exists (select 1 from user_tombstone where tenant_id = new.tenant_id and user_id = new.user_id) then
        raise exception 'this user id belongs to an erased user' using errcode = 'unique_violation';
    end if;
    return new;
end
$$;

create trigger user_tombstone_guard before insert on user_account
    for each row execute function user_tombstone_guard();

-- Erasures a user asked for, waiting for the tenant's grace period (the account is disabled).
create table erasure_request (
    tenant_id    text    not null,
    user_id      text    not null,
    requested_at bigint  not null,
    due_at       bigint  not null,
    primary key (tenant_id, user_id),
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade
);
create index erasure_request_due on erasure_request (tenant_id, due_at);
