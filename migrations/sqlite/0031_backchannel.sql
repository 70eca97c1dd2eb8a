-- Backchannel authentication (OpenID CIBA Core 1.0): a client's token delivery mode and, for
-- the ping mode, its notification endpoint (JSON; null for clients without the CIBA grant).
alter table client add column backchannel text;
