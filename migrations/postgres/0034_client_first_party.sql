-- First-party applications: the tenant's own apps, whose users are not asked for consent (set
-- by an administrator only, never by dynamic registration).
alter table client add column first_party boolean not null default false;
