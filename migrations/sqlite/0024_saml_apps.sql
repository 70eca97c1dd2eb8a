-- SAML applications: a client whose protocol is SAML carries its settings as JSON in `saml`, and
-- its service provider entity id in a column of its own, unique in the tenant (requests are
-- matched to their app by it).
alter table client add column saml text;
alter table client add column saml_entity_id text;
create unique index client_saml_entity_id on client (tenant_id, saml_entity_id) where saml_entity_id is not null;

-- A tenant's SAML identity provider signing key: an RSA private key sealed with the master key
-- (bound to the tenant) and its self-signed certificate, published in the tenant's IdP metadata.
create table saml_signing_key (
    tenant_id      text    not null primary key references tenant (tenant_id) on delete cascade,
    sealed_private text    not null,
    certificate    text    not null,
    created_at     integer not null
);
