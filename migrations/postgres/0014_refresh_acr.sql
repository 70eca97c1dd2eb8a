-- The authentication context class (acr) the user reached for a grant; refreshed access tokens repeat it with auth_time.
alter table refresh_family add column acr text;
