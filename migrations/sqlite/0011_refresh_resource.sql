-- The resources (RFC 8707) a user's grant was made for, space-separated; its access tokens name them as audience.
alter table refresh_family add column resources text not null default '';
