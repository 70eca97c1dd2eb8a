-- Personal data in the audit trail, sealed so it can be erased without breaking the chain.
--
-- Data keys: one random 256-bit key per user (and one per tenant, subject 'tenant', for events
-- about no user), stored sealed under the master key. `subject` is the keyed pseudonym of the
-- user id (HMAC-SHA-256 under a key derived from the master key and the tenant, hex), never the
-- id itself. Destroying a row erases everything sealed under it; deleting the tenant deletes its
-- keys.
create table user_data_key (
    tenant_id  text   not null references tenant (tenant_id) on delete cascade,
    subject    text   not null,
    sealed_key text   not null,
    created_at integer not null,
    primary key (tenant_id, subject)
);

-- Events written from now on hold the user's pseudonym in `subject` and their user id, IP
-- address and User-Agent sealed in `personal`; the clear columns stay empty. `form` says what
-- an event's hash covers: 0 (the events written before this migration, which keep their clear
-- columns and their hash) or 1 (the pseudonym and the ciphertext, not the plaintext).
alter table audit_event add column form integer not null default 0;
alter table audit_event add column subject text;
alter table audit_event add column personal text;

create index audit_event_subject on audit_event (tenant_id, subject, seq);
