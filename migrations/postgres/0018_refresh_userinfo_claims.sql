-- User claims the authorization request asked for from UserInfo with the claims parameter (OIDC Core 5.5),
-- space-separated; refreshed access tokens carry them on.
alter table refresh_family add column userinfo_claims text not null default '';
