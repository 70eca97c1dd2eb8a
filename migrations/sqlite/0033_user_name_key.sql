-- Finding users by name: each user's name trimmed and in lower case (written by the server with
-- Unicode case folding; rows from before are folded here, ASCII only), searched by prefix.
alter table user_account add column name_key text;
update user_account set name_key = lower(trim(json_extract(profile, '$.name')))
    where json_extract(profile, '$.name') is not null and trim(json_extract(profile, '$.name')) <> '';
create index user_account_name on user_account (tenant_id, name_key, user_id);
