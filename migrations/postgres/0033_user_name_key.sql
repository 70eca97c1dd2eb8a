-- Finding users by name: each user's name trimmed and in lower case, searched by prefix. The
-- "C" collation orders by code point, so a prefix is a range of the index.
alter table user_account add column name_key text collate "C";
update user_account set name_key = lower(trim(profile::jsonb ->> 'name'))
    where profile::jsonb ->> 'name' is not null and trim(profile::jsonb ->> 'name') <> '';
create index user_account_name on user_account (tenant_id, name_key, user_id);
