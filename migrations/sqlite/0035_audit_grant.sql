-- The grant type of a token request, on the token endpoint's events: the dashboard counts
-- issuance and refusals by grant. Covered by the event's hash when present.
alter table audit_event add column grant_type text;
