-- Tells a tenant from an earlier one deleted under the same id: its short-lived state (sessions,
-- codes, pushed requests, initial access tokens, counters) is keyed by it. Existing tenants keep
-- the empty incarnation, under which their keys are unchanged.
alter table tenant add column incarnation text not null default '';
