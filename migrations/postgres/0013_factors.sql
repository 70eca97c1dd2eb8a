-- Authenticators beyond the password: TOTP apps, passkeys and recovery codes. `data` is the
-- authenticator's own state (a sealed TOTP seed, a serialized passkey, hashed recovery codes);
-- `lookup` finds a passkey by its credential id.
create table factor (
    tenant_id    text    not null,
    factor_id    text    not null,
    user_id      text    not null,
    kind         text    not null,
    name         text    not null,
    lookup       text,
    data         text    not null,
    created_at   bigint not null,
    last_used_at bigint,
    primary key (tenant_id, factor_id),
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade
);

create index factor_user on factor (tenant_id, user_id);
create unique index factor_lookup on factor (tenant_id, kind, lookup);

-- What the risk policy remembers about a user's sign-ins (last place and time, last strong
-- authentication, known devices), as JSON.
create table sign_in_profile (
    tenant_id  text not null,
    user_id    text not null,
    data       text not null,
    primary key (tenant_id, user_id),
    foreign key (tenant_id, user_id) references user_account (tenant_id, user_id) on delete cascade
);
