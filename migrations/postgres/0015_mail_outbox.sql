-- The mail outbox: messages requests queued, delivered by a worker on every node with retries.
-- `sealed` is the message (recipient, subject, body) sealed with the master key, bound to the
-- row. A worker holds the rows it claimed until `locked_until` (`claim` names the claim), so two
-- nodes never send one message at once. Delivered rows are deleted; rows given up stay with
-- state 'failed' and the last error (never the content) until purged.
create table mail_outbox (
    tenant_id       text    not null references tenant (tenant_id) on delete cascade,
    mail_id         text    not null,
    sealed          text    not null,
    state           text    not null,
    attempts        bigint  not null,
    created_at      bigint  not null,
    next_attempt_at bigint  not null,
    expires_at      bigint  not null,
    claim           text,
    locked_until    bigint,
    last_error      text,
    primary key (tenant_id, mail_id)
);

create index mail_outbox_due on mail_outbox (state, next_attempt_at);
