#!/usr/bin/env python3
"""An independent SAML 2.0 peer for ciam's end-to-end tests, built on pysaml2 and xmlsec1.

It plays the enterprise identity provider (IdP) in front of ciam's service provider, and, for the
reverse direction, a service provider (SP) in front of ciam's IdP. One process serves one test:
the test writes one JSON object per line on stdin and reads one JSON answer per line on stdout.
Diagnostics go to stderr. The protocol is described in README.md beside this file.

    python peer.py               # the JSON-lines peer
    python peer.py --self-test   # pysaml2 against itself through that protocol; exit 1 on failure

Environment: SAML_IDP_ENTITY_ID (default https://idp.test/saml), SAML_IDP_SSO_URL (default
https://idp.test/sso), SAML_IDP_SLO_URL (the IdP side's SingleLogoutService, HTTP-Redirect; default:
none, and no SingleLogoutService in its metadata), XMLSEC1 (path of the xmlsec1 binary, default:
found on PATH), SAML_PEER_DEBUG=1 (pysaml2's debug log on stderr).

The key material under keys/ is test-only, committed on purpose, and must never be trusted
anywhere else.
"""

from __future__ import annotations

import base64
import calendar
import copy
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import traceback
import warnings
import zlib
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

warnings.filterwarnings("ignore", message=".*has been moved to cryptography.hazmat.decrepit.*")

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, samlp
from saml2.assertion import Policy
from saml2.attribute_converter import AttributeConverter
from saml2.attributemaps import saml_uri
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.client import Saml2Client
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import create_metadata_string
from saml2.response import StatusError
from saml2.s_utils import do_ava, factory
from saml2.saml import (
    NAME_FORMAT_BASIC,
    NAME_FORMAT_UNSPECIFIED,
    NAME_FORMAT_URI,
    NAMEID_FORMAT_EMAILADDRESS,
    NAMEID_FORMAT_PERSISTENT,
    NAMEID_FORMAT_TRANSIENT,
    NAMEID_FORMAT_UNSPECIFIED,
)
from saml2.samlp import (
    STATUS_PARTIAL_LOGOUT,
    STATUS_REQUEST_DENIED,
    STATUS_REQUESTER,
    STATUS_RESPONDER,
    STATUS_SUCCESS,
    STATUS_UNKNOWN_PRINCIPAL,
)
from saml2.server import Server
from saml2.sigver import get_pem_wrapped_unwrapped, make_temp, pre_encryption_part
from saml2.time_util import in_a_while, str_to_time
from saml2.xmldsig import (
    DIGEST_SHA1,
    DIGEST_SHA256,
    DIGEST_SHA384,
    DIGEST_SHA512,
    SIG_RSA_SHA1,
    SIG_RSA_SHA256,
    SIG_RSA_SHA384,
    SIG_RSA_SHA512,
)

HERE = Path(__file__).resolve().parent
KEYS = HERE / "keys"

NS_SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
NS_MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


NAME_ID_FORMATS = {
    "persistent": NAMEID_FORMAT_PERSISTENT,
    "email": NAMEID_FORMAT_EMAILADDRESS,
    "emailAddress": NAMEID_FORMAT_EMAILADDRESS,
    "transient": NAMEID_FORMAT_TRANSIENT,
    "unspecified": NAMEID_FORMAT_UNSPECIFIED,
}

SIG_ALGS = {
    "rsa-sha1": SIG_RSA_SHA1,
    "rsa-sha256": SIG_RSA_SHA256,
    "rsa-sha384": SIG_RSA_SHA384,
    "rsa-sha512": SIG_RSA_SHA512,
}
DIGEST_ALGS = {"sha1": DIGEST_SHA1, "sha256": DIGEST_SHA256, "sha384": DIGEST_SHA384, "sha512": DIGEST_SHA512}

# A LogoutResponse's Status: top-level StatusCode and, for the failures, a second-level one.
LOGOUT_STATUSES = {
    "success": (STATUS_SUCCESS, None),
    "partial_logout": (STATUS_RESPONDER, STATUS_PARTIAL_LOGOUT),
    "request_denied": (STATUS_RESPONDER, STATUS_REQUEST_DENIED),
    "unknown_principal": (STATUS_REQUESTER, STATUS_UNKNOWN_PRINCIPAL),
    "requester": (STATUS_REQUESTER, None),
    "responder": (STATUS_RESPONDER, None),
}

# How far a LogoutRequest/LogoutResponse's IssueInstant may lie from now (seconds): these messages
# are built just before the browser is redirected.
MESSAGE_AGE_LIMIT = 300

# Block cipher for the assertion: (XML Encryption algorithm URI, xmlsec1 --session-key type).
# pysaml2 itself always uses tripledes-cbc; the peer defaults to aes256-cbc, the common choice of
# enterprise IdPs.
DATA_ENC_ALGS = {
    "aes128-cbc": ("http://www.w3.org/2001/04/xmlenc#aes128-cbc", "aes-128"),
    "aes192-cbc": ("http://www.w3.org/2001/04/xmlenc#aes192-cbc", "aes-192"),
    "aes256-cbc": ("http://www.w3.org/2001/04/xmlenc#aes256-cbc", "aes-256"),
    "aes128-gcm": ("http://www.w3.org/2009/xmlenc11#aes128-gcm", "aes-128"),
    "aes256-gcm": ("http://www.w3.org/2009/xmlenc11#aes256-gcm", "aes-256"),
    "tripledes-cbc": ("http://www.w3.org/2001/04/xmlenc#tripledes-cbc", "des-192"),
}
KEY_TRANSPORT_ALGS = {
    "rsa-oaep-mgf1p": "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
    "rsa-1_5": "http://www.w3.org/2001/04/xmlenc#rsa-1_5",
}

ATTACKS = [
    "xsw1",
    "xsw2",
    "xsw3",
    "xsw4",
    "xsw5",
    "xsw6",
    "xsw7",
    "xsw8",
    "comment_injection",
    "unsigned",
    "wrong_audience",
    "expired",
]

DEFAULT_EVIL_NAME_ID = "admin@evil.test"

# The variants whose document xmlsec1 (spec-following, IDs declared) still verifies. In the
# others the signed copy sits inside the ds:Signature (the enveloped-signature transform then
# drops it: xsw1, xsw6, xsw8) or its ID appears twice (xsw7); they fool verifiers that implement
# the transform as "delete the Signature child" or resolve IDs loosely.
XMLSEC1_ACCEPTS = {"xsw2", "xsw3", "xsw4", "xsw5", "comment_injection"}


class PeerError(Exception):
    """An error to answer with (the request was wrong, or the peer refuses it)."""


class PeerCheckError(PeerError):
    """A check a verifying op (sp_verify, *_logout, *_logout_response) makes on top of
    pysaml2's: replay, Web SSO profile, query-string signature, Destination, freshness."""


# --------------------------------------------------------------------------------------------
# Small helpers


def xml_parser() -> etree.XMLParser:
    # No DTDs, no entities, no network; keep whitespace and comments exactly (signatures).
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(data: str | bytes) -> etree._Element:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return etree.fromstring(data, xml_parser())


def to_xml(root: etree._Element) -> str:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def unb64(data: str) -> str:
    try:
        return base64.b64decode("".join(data.split()), validate=True).decode("utf-8")
    except Exception as exc:  # noqa: BLE001
        raise PeerError(f"not base64-encoded UTF-8: {exc}") from exc


def detach(el: etree._Element) -> etree._Element:
    """Removes `el` from its parent, leaving its tail text where it was (lxml moves tails)."""
    parent = el.getparent()
    if parent is None:
        return el
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
    el.tail = None
    return el


def child(el: etree._Element, ns: str, local: str) -> etree._Element | None:
    for c in el:
        if c.tag == q(ns, local):
            return c
    return None


def new_id(kind: str) -> str:
    return f"_evil_{kind}_{secrets.token_hex(12)}"


def find_xmlsec1() -> str:
    path = os.environ.get("XMLSEC1") or shutil.which("xmlsec1")
    if not path:
        raise PeerError("xmlsec1 is not installed (apt-get install xmlsec1)")
    return path


def error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------------------------
# Signature check used by the tamper answers and the self-test: "does the original signature
# still hold over the original element somewhere in this document?" A careless verifier that
# finds the signed element by ID and then reads another element accepts such a document.

C14N_EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N_EXC_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
C14N_INC = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_INC_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

HASHES = {
    DIGEST_SHA1: hashes.SHA1,
    DIGEST_SHA256: hashes.SHA256,
    DIGEST_SHA384: hashes.SHA384,
    DIGEST_SHA512: hashes.SHA512,
}
SIG_HASHES = {
    SIG_RSA_SHA1: hashes.SHA1,
    SIG_RSA_SHA256: hashes.SHA256,
    SIG_RSA_SHA384: hashes.SHA384,
    SIG_RSA_SHA512: hashes.SHA512,
}


def c14n(el: etree._Element, algorithm: str, prefixes: list[str] | None = None) -> bytes:
    if algorithm in (C14N_EXC, C14N_EXC_COMMENTS):
        return etree.tostring(
            el,
            method="c14n",
            exclusive=True,
            with_comments=algorithm == C14N_EXC_COMMENTS,
            inclusive_ns_prefixes=prefixes or None,
        )
    if algorithm in (C14N_INC, C14N_INC_COMMENTS):
        return etree.tostring(el, method="c14n", exclusive=False, with_comments=algorithm == C14N_INC_COMMENTS)
    raise PeerError(f"unsupported canonicalization {algorithm}")


def signature_holds(root: etree._Element, sig: etree._Element, cert_pem: bytes) -> bool:
    """True if `sig`'s SignedInfo verifies under `cert_pem` and some element of the document with
    the referenced ID digests (after the enveloped transform) to the referenced DigestValue."""
    signed_info = child(sig, NS_DS, "SignedInfo")
    sig_value = child(sig, NS_DS, "SignatureValue")
    if signed_info is None or sig_value is None:
        return False
    cm = child(signed_info, NS_DS, "CanonicalizationMethod").get("Algorithm")
    sm = child(signed_info, NS_DS, "SignatureMethod").get("Algorithm")
    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        cert.public_key().verify(
            base64.b64decode("".join((sig_value.text or "").split())),
            c14n(signed_info, cm),
            padding.PKCS1v15(),
            SIG_HASHES[sm](),
        )
    except (InvalidSignature, KeyError):
        return False
    for ref in signed_info.findall(q(NS_DS, "Reference")):
        uri = (ref.get("URI") or "").lstrip("#")
        digest_alg = child(ref, NS_DS, "DigestMethod").get("Algorithm")
        expected = base64.b64decode("".join((child(ref, NS_DS, "DigestValue").text or "").split()))
        transforms = [t for t in ref.iter(q(NS_DS, "Transform"))]
        algs = [t.get("Algorithm") for t in transforms]
        c14n_alg = next((a for a in algs if a != ENVELOPED), C14N_INC)
        prefixes = None
        for t in transforms:
            inc = t.find(q(C14N_EXC, "InclusiveNamespaces"))
            if inc is not None:
                prefixes = (inc.get("PrefixList") or "").split()
        ok = False
        for candidate in root.iter():
            if not isinstance(candidate.tag, str) or candidate.get("ID") != uri:
                continue
            clone = copy.deepcopy(candidate)
            if ENVELOPED in algs:
                for s in list(clone.iter(q(NS_DS, "Signature"))):
                    v = child(s, NS_DS, "SignatureValue")
                    if v is not None and (v.text or "").split() == (sig_value.text or "").split():
                        detach(s)
            digest = hashes.Hash(HASHES[digest_alg]())
            digest.update(c14n(clone, c14n_alg, prefixes))
            if digest.finalize() == expected:
                ok = True
                break
        if not ok:
            return False
    return True


def all_signatures_hold(root: etree._Element, cert_pem: bytes) -> bool | None:
    """None when the document holds no signature; else whether every distinct signature (by
    SignatureValue) still holds over an intact copy of its element."""
    seen: dict[str, bool] = {}
    for sig in root.iter(q(NS_DS, "Signature")):
        value = "".join((child(sig, NS_DS, "SignatureValue").text or "").split())
        if value in seen:
            continue
        seen[value] = signature_holds(root, sig, cert_pem)
    if not seen:
        return None
    return all(seen.values())


def xmlsec1_verifies(xmlsec: str, xml: str, cert_path: Path) -> bool | None:
    """Whether the xmlsec1 command-line verifier (a standard, spec-following verifier, told that
    ID attributes are IDs) accepts every signature of the document; None when it has none. A
    wrapped document it accepts shows that verifying "the signature" is not enough: the element
    the application reads must be the element that was signed."""
    count = len(list(parse_xml(xml).iter(q(NS_DS, "Signature"))))
    if count == 0:
        return None
    tmp = make_temp(xml.encode("utf-8"), decode=False)
    for n in range(1, count + 1):
        cmd = [
            xmlsec,
            "--verify",
            "--pubkey-cert-pem",
            str(cert_path),
            "--id-attr:ID",
            f"{NS_SAMLP}:Response",
            "--id-attr:ID",
            f"{NS_SAML}:Assertion",
            "--node-xpath",
            f"(//*[local-name()='Signature' and namespace-uri()='{NS_DS}'])[{n}]",
            tmp.name,
        ]
        if subprocess.run(cmd, capture_output=True, check=False).returncode != 0:
            return False
    return True


# --------------------------------------------------------------------------------------------
# The IdP side


class PeerPolicy(Policy):
    """pysaml2's release policy, bent to the test's will: every attribute the test gives is
    released as given (no filtering on the SP's requested attributes), and the Audience and the
    validity window are the test's choice (wrong audience, expired, not yet valid)."""

    def __init__(self, *, audience, lifetime_seconds, not_before_seconds, name_form, mds):
        super().__init__(
            {
                "default": {
                    "lifetime": {"seconds": lifetime_seconds},
                    "name_form": name_form,
                    "attribute_restrictions": None,
                }
            },
            mds=mds,
        )
        self.peer_audience = audience
        self.peer_not_before_seconds = not_before_seconds

    def restrict(self, ava, sp_entity_id, metadata=None):
        return dict(ava)

    def conditions(self, sp_entity_id):
        return factory(
            saml.Conditions,
            not_before=in_a_while(seconds=self.peer_not_before_seconds),
            not_on_or_after=self.not_on_or_after(sp_entity_id),
            audience_restriction=[
                factory(
                    saml.AudienceRestriction,
                    audience=[factory(saml.Audience, text=self.peer_audience or sp_entity_id)],
                )
            ],
        )


class RawConverter(AttributeConverter):
    """Attribute names exactly as the test gave them, with one NameFormat."""

    def to_(self, attrvals):
        return [
            factory(saml.Attribute, name=k, name_format=self.name_format, attribute_value=do_ava(v))
            for k, v in attrvals.items()
        ]


def uri_converter() -> AttributeConverter:
    """pysaml2's standard urn:oid map (mail -> urn:oid:0.9.2342.19200300.100.1.3, with
    FriendlyName); names it does not know are sent as given."""
    conv = AttributeConverter(saml_uri.MAP["identifier"])
    conv.from_dict(saml_uri.MAP)
    return conv


ATTRIBUTE_NAME_FORMATS = {
    "uri": (NAME_FORMAT_URI, uri_converter),
    "uri_raw": (NAME_FORMAT_URI, lambda: RawConverter(NAME_FORMAT_URI)),
    "basic": (NAME_FORMAT_BASIC, lambda: RawConverter(NAME_FORMAT_BASIC)),
    "unspecified": (NAME_FORMAT_UNSPECIFIED, lambda: RawConverter(NAME_FORMAT_UNSPECIFIED)),
}


class PeerServer(Server):
    """pysaml2's IdP, with the assertion's encryption algorithms selectable (pysaml2 hard-codes
    tripledes-cbc and rsa-oaep-mgf1p in Entity._encrypt_assertion)."""

    peer_data_alg = "aes256-cbc"
    peer_key_alg = "rsa-oaep-mgf1p"

    def _encrypt_assertion(self, encrypt_cert, sp_entity_id, response, node_xpath=None):
        data_uri, session_key = DATA_ENC_ALGS[self.peer_data_alg]
        key_uri = KEY_TRANSPORT_ALGS[self.peer_key_alg]
        if encrypt_cert:
            certs = [(None, encrypt_cert)]
        else:
            certs = self.metadata.certs(sp_entity_id, "any", "encryption")
        if not certs:
            raise PeerError(f"no encryption certificate for {sp_entity_id}")
        _name, cert = certs[0]
        wrapped, unwrapped = get_pem_wrapped_unwrapped(cert)
        tmp = make_temp(wrapped.encode("ascii"), decode=False, delete_tmpfiles=self.config.delete_tmpfiles)
        template = pre_encryption_part(msg_enc=data_uri, key_enc=key_uri, encrypt_cert=unwrapped)
        return self.sec.encrypt_assertion(response, tmp.name, template, key_type=session_key, node_xpath=node_xpath)


def idp_config(
    entity_id: str, sso_url: str, key: Path, cert: Path, xmlsec: str, slo_url: str | None = None
) -> IdPConfig:
    endpoints: dict[str, list] = {
        "single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT), (sso_url, BINDING_HTTP_POST)],
    }
    if slo_url:
        endpoints["single_logout_service"] = [(slo_url, BINDING_HTTP_REDIRECT)]
    conf = {
        "entityid": entity_id,
        "description": "ciam test IdP peer (pysaml2)",
        "service": {
            "idp": {
                "name": "ciam test IdP peer",
                "endpoints": endpoints,
                "name_id_format": [
                    NAMEID_FORMAT_PERSISTENT,
                    NAMEID_FORMAT_EMAILADDRESS,
                    NAMEID_FORMAT_TRANSIENT,
                    NAMEID_FORMAT_UNSPECIFIED,
                ],
                "want_authn_requests_signed": False,
                "sign_response": False,
                "sign_assertion": False,
                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
            }
        },
        "key_file": str(key),
        "cert_file": str(cert),
        "xmlsec_binary": xmlsec,
        "metadata": {},
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "accepted_time_diff": 60,
    }
    config = IdPConfig()
    config.load(conf)
    return config


def sp_config(
    entity_id: str, acs: str, slo: str | None, idp_metadata: list[str], sign_requests: bool, xmlsec: str
) -> SPConfig:
    endpoints: dict[str, list] = {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]}
    if slo:
        endpoints["single_logout_service"] = [(slo, BINDING_HTTP_REDIRECT)]
    conf = {
        "entityid": entity_id,
        "description": "ciam test SP peer (pysaml2)",
        "service": {
            "sp": {
                "name": "ciam test SP peer",
                "endpoints": endpoints,
                "allow_unsolicited": False,
                "authn_requests_signed": sign_requests,
                "want_response_signed": False,
                "want_assertions_signed": False,
                "want_assertions_or_response_signed": True,
                "name_id_format": [
                    NAMEID_FORMAT_PERSISTENT,
                    NAMEID_FORMAT_EMAILADDRESS,
                    NAMEID_FORMAT_TRANSIENT,
                    NAMEID_FORMAT_UNSPECIFIED,
                ],
                "name_id_format_allow_create": True,
            }
        },
        "key_file": str(KEYS / "sp.key"),
        "cert_file": str(KEYS / "sp.crt"),
        "encryption_keypairs": [{"key_file": str(KEYS / "sp.key"), "cert_file": str(KEYS / "sp.crt")}],
        "xmlsec_binary": xmlsec,
        "metadata": {"inline": idp_metadata} if idp_metadata else {},
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "accepted_time_diff": 60,
        "allow_unknown_attributes": True,
    }
    config = SPConfig()
    config.load(conf)
    return config


def metadata_entity_ids(xml: str) -> list[str]:
    root = parse_xml(xml)
    if root.tag == q(NS_MD, "EntityDescriptor"):
        return [root.get("entityID")]
    if root.tag == q(NS_MD, "EntitiesDescriptor"):
        return [e.get("entityID") for e in root.iter(q(NS_MD, "EntityDescriptor"))]
    raise PeerError(f"not SAML metadata: root element {root.tag}")


def metadata_text(config) -> str:
    out = create_metadata_string(None, config=config, sign=False)
    return out.decode("utf-8") if isinstance(out, bytes) else out


def split_query(url: str) -> tuple[dict[str, str], dict[str, str], str]:
    """The raw (still URL-encoded) and the decoded query parameters of a URL, and the URL before
    the query."""
    parts = urlsplit(url)
    raw: dict[str, str] = {}
    for pair in parts.query.split("&"):
        if not pair:
            continue
        k, _, v = pair.partition("=")
        raw[unquote_plus(k)] = v
    decoded = {k: unquote_plus(v) for k, v in raw.items()}
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return raw, decoded, base


def verify_redirect_signature_raw(raw: dict[str, str], cert_pems: list[bytes]) -> bool:
    """The HTTP-Redirect binding's signature (SAML bindings §3.4.4.1) over the query string
    exactly as the SP encoded it."""
    order = ["SAMLRequest", "RelayState", "SigAlg"] if "SAMLRequest" in raw else ["SAMLResponse", "RelayState", "SigAlg"]
    signed = "&".join(f"{k}={raw[k]}" for k in order if k in raw).encode("ascii")
    sig_alg = unquote_plus(raw.get("SigAlg", ""))
    if sig_alg not in SIG_HASHES:
        raise PeerError(f"unsupported SigAlg {sig_alg!r}")
    signature = base64.b64decode(unquote_plus(raw["Signature"]))
    for pem in cert_pems:
        try:
            x509.load_pem_x509_certificate(pem).public_key().verify(
                signature, signed, padding.PKCS1v15(), SIG_HASHES[sig_alg]()
            )
            return True
        except InvalidSignature:
            continue
    return False


def inflate_redirect(value: str) -> str:
    data = base64.b64decode(value)
    try:
        return zlib.decompress(data, -15).decode("utf-8")
    except zlib.error as exc:
        raise PeerError(f"SAMLRequest is not DEFLATE-compressed: {exc}") from exc


def pem_of_cert_body(body: str) -> bytes:
    wrapped, _ = get_pem_wrapped_unwrapped(body)
    return wrapped.encode("ascii")


def enveloped_signature_valid(root: etree._Element, cert_pems: list[bytes]) -> bool:
    """The HTTP-POST binding's signature: a ds:Signature child of `root` whose only Reference is
    `root` itself (by its ID), holding under one of `cert_pems`."""
    sig = child(root, NS_DS, "Signature")
    if sig is None or not root.get("ID"):
        return False
    refs = sig.findall(f"{q(NS_DS, 'SignedInfo')}/{q(NS_DS, 'Reference')}")
    if len(refs) != 1 or refs[0].get("URI") != "#" + root.get("ID"):
        return False
    for pem in cert_pems:
        try:
            if signature_holds(root, sig, pem):
                return True
        except (KeyError, AttributeError, ValueError, PeerError):
            return False
    return False


def saml_time(text: str) -> float:
    """An xs:dateTime (UTC, as SAML requires) as a Unix time."""
    return float(calendar.timegm(str_to_time(text)))


def redirect_location(info: dict) -> str:
    """The URL of pysaml2's HTTP-Redirect binding answer (apply_binding)."""
    return dict(info["headers"])["Location"]


def text_of(el: etree._Element | None) -> str | None:
    return (el.text or "").strip() if el is not None else None


def logout_status(key: str, message: str | None) -> samlp.Status:
    if key not in LOGOUT_STATUSES:
        raise PeerError(f"status must be one of {sorted(LOGOUT_STATUSES)}")
    top, second = LOGOUT_STATUSES[key]
    return samlp.Status(
        status_code=samlp.StatusCode(value=top, status_code=samlp.StatusCode(value=second) if second else None),
        status_message=samlp.StatusMessage(text=message) if message else None,
    )


def rejection(op: str, exc: BaseException) -> dict:
    """The answer of a verifying op (sp_verify, sp_logout, …) that refuses the message."""
    text = error_text(exc)
    if len(text) > 2000:
        text = text[:2000] + " [...]"
    log(f"{op} rejected: {text[:300]}")
    by = "peer" if isinstance(exc, PeerCheckError) else "pysaml2"
    return {"ok": False, "verified": False, "rejected_by": by, "error": text}


class Peer:
    def __init__(self):
        self.xmlsec = find_xmlsec1()
        self.idp_entity_id = os.environ.get("SAML_IDP_ENTITY_ID", "https://idp.test/saml")
        self.sso_url = os.environ.get("SAML_IDP_SSO_URL", "https://idp.test/sso")
        self.slo_url = os.environ.get("SAML_IDP_SLO_URL") or None
        self.idp_cert_pem = (KEYS / "idp.crt").read_bytes()
        self.idp = PeerServer(
            config=idp_config(
                self.idp_entity_id, self.sso_url, KEYS / "idp.key", KEYS / "idp.crt", self.xmlsec, self.slo_url
            )
        )
        # Same entity ID, an untrusted key: for "signed by someone else" tests.
        self.attacker = PeerServer(
            config=idp_config(
                self.idp_entity_id, self.sso_url, KEYS / "attacker.key", KEYS / "attacker.crt", self.xmlsec, self.slo_url
            )
        )
        self.idp_metadata = metadata_text(self.idp.config)
        self.sp_metadata_xml: dict[str, str] = {}  # SP entity ID -> its metadata, as loaded
        self.issued: dict[str, dict] = {}  # Response ID -> how it was built (tamper regenerates)
        # The SP side (reverse direction).
        self.sp: Saml2Client | None = None
        self.sp_settings: dict = {}
        self.sp_outstanding: dict[str, str] = {}
        self.sp_seen_assertions: set[str] = set()
        # The SP's sessions (one per assertion sp_verify accepted): {"issuer", "name_id",
        # "session_index"}; a LogoutRequest naming one ends it.
        self.sp_sessions: list[dict] = []
        # Single logout, per role ("sp", "idp"): the LogoutRequests this role sent and awaits an
        # answer to (ID -> {"peer", "destination"}), and the IDs of those it received (replay).
        self.logout_outstanding: dict[str, dict[str, dict]] = {"sp": {}, "idp": {}}
        self.logout_seen: dict[str, set[str]] = {"sp": set(), "idp": set()}

    def ready(self) -> dict:
        return {
            "ready": True,
            "ok": True,
            "idp_metadata": self.idp_metadata,
            "entity_id": self.idp_entity_id,
            "sso_url": self.sso_url,
            "slo_url": self.slo_url,
            "certificate": self.idp_cert_pem.decode("ascii"),
            "attacker_certificate": (KEYS / "attacker.crt").read_text(),
            "sp_certificate": (KEYS / "sp.crt").read_text(),
            "xmlsec1": self.xmlsec,
            "pysaml2": pysaml2_version(),
        }

    # ---- dispatch

    def handle(self, req: dict) -> dict:
        op = req.get("op")
        handler = {
            "sp_metadata": self.op_sp_metadata,
            "respond": self.op_respond,
            "unsolicited": self.op_unsolicited,
            "tamper": self.op_tamper,
            "idp_metadata": lambda r: {"idp_metadata": self.idp_metadata, "entity_id": self.idp_entity_id},
            "sp_describe": self.op_sp_describe,
            "sp_request": self.op_sp_request,
            "sp_verify": self.op_sp_verify,
            "sp_logout": lambda r: self.receive_logout_request("sp", r),
            "sp_logout_request": lambda r: self.send_logout_request("sp", r),
            "sp_logout_response": lambda r: self.receive_logout_response("sp", r),
            "idp_logout": lambda r: self.receive_logout_request("idp", r),
            "idp_logout_request": lambda r: self.send_logout_request("idp", r),
            "idp_logout_response": lambda r: self.receive_logout_response("idp", r),
            "ping": lambda r: {},
        }.get(op)
        if handler is None:
            raise PeerError(f"unknown op {op!r}")
        answer = handler(req)
        answer.setdefault("ok", True)
        return answer

    # ---- IdP: the SP's metadata

    def op_sp_metadata(self, req: dict) -> dict:
        xml = req.get("xml")
        if not xml and req.get("path"):
            xml = Path(req["path"]).read_text(encoding="utf-8")
        if not xml:
            raise PeerError("sp_metadata needs xml (or path)")
        ids = metadata_entity_ids(xml)
        # A newer document for an entity replaces the older one (pysaml2 would keep both).
        loaded = dict(self.sp_metadata_xml)
        for eid in ids:
            loaded[eid] = xml
        docs = list(dict.fromkeys(loaded.values()))
        try:
            for server in (self.idp, self.attacker):
                server.metadata.reload({"inline": docs})
        except Exception as exc:  # noqa: BLE001
            raise PeerError(f"pysaml2 cannot load this metadata: {error_text(exc)}") from exc
        self.sp_metadata_xml = loaded
        entities = []
        md = self.idp.metadata
        for eid in ids:
            try:
                descr = md[eid].get("spsso_descriptor") or []
            except KeyError:
                descr = []
            if not descr:
                raise PeerError(f"{eid} has no SPSSODescriptor")
            acs = [
                {"location": s["location"], "binding": s["binding"], "index": s.get("index")}
                for d in descr
                for s in d.get("assertion_consumer_service", [])
            ]
            entities.append(
                {
                    "entity_id": eid,
                    "acs": acs,
                    "authn_requests_signed": any(d.get("authn_requests_signed") == "true" for d in descr),
                    "want_assertions_signed": any(d.get("want_assertions_signed") == "true" for d in descr),
                    "signing_certificates": len(md.certs(eid, "spsso", "signing")),
                    "encryption_certificates": len(md.certs(eid, "spsso", "encryption")),
                    "name_id_formats": [n["text"] for d in descr for n in d.get("name_id_format", [])],
                    "slo": [
                        {
                            "location": s["location"],
                            "binding": s["binding"],
                            "response_location": s.get("response_location"),
                        }
                        for d in descr
                        for s in d.get("single_logout_service", [])
                    ],
                }
            )
        return {"entities": entities}

    # ---- IdP: answers

    def op_respond(self, req: dict) -> dict:
        # The AuthnRequest came by HTTP-Redirect (the URL the SP sent the browser to) or by
        # HTTP-POST (the form fields the SP had the browser post to `action`).
        url, posted = req.get("authn_request_url"), req.get("SAMLRequest")
        if url and posted:
            raise PeerError("respond takes authn_request_url (HTTP-Redirect) or SAMLRequest (HTTP-POST), not both")
        if url:
            binding = BINDING_HTTP_REDIRECT
            raw, params, base = split_query(url)
            if "SAMLRequest" not in params:
                raise PeerError("the URL carries no SAMLRequest")
            encoded = params["SAMLRequest"]
            relay_state = params.get("RelayState")
            sig_alg, signature = params.get("SigAlg"), params.get("Signature")
            request_xml = inflate_redirect(encoded)
        elif posted:
            binding = BINDING_HTTP_POST
            raw, base = {}, req.get("action")
            encoded = posted
            relay_state = req.get("RelayState")
            sig_alg = signature = None
            request_xml = unb64(posted)
        else:
            raise PeerError("respond needs authn_request_url (HTTP-Redirect) or SAMLRequest (HTTP-POST)")
        request_root = parse_xml(request_xml)
        issuer_el = child(request_root, NS_SAML, "Issuer")
        sp_entity_id = (issuer_el.text or "").strip() if issuer_el is not None else ""
        if sp_entity_id not in self.sp_metadata_xml:
            raise PeerError(f"unknown SP {sp_entity_id!r}: send its metadata first (op sp_metadata)")

        md_wants_signed = any(
            d.get("authn_requests_signed") == "true" for d in self.idp.metadata[sp_entity_id].get("spsso_descriptor", [])
        )
        require_signed = req.get("require_signed_request")
        if require_signed is None:
            require_signed = md_wants_signed
        request_signature = "absent"
        pysaml2_redirect_check = None
        xml_signature = child(request_root, NS_DS, "Signature")
        if binding == BINDING_HTTP_POST and xml_signature is not None:
            certs = [pem_of_cert_body(c) for _n, c in self.idp.metadata.certs(sp_entity_id, "spsso", "signing")]
            if not certs:
                raise PeerError(f"the request is signed but {sp_entity_id}'s metadata has no signing certificate")
            if not enveloped_signature_valid(request_root, certs):
                raise PeerError("the AuthnRequest's XML signature does not verify (or does not cover the request)")
            request_signature = "valid"
            method = xml_signature.find(f"{q(NS_DS, 'SignedInfo')}/{q(NS_DS, 'SignatureMethod')}")
            sig_alg = method.get("Algorithm") if method is not None else None
        elif binding == BINDING_HTTP_REDIRECT and (signature is not None or sig_alg is not None):
            if signature is None or sig_alg is None:
                raise PeerError("SigAlg and Signature must come together")
            certs = [pem_of_cert_body(c) for _n, c in self.idp.metadata.certs(sp_entity_id, "spsso", "signing")]
            if not certs:
                raise PeerError(f"the request is signed but {sp_entity_id}'s metadata has no signing certificate")
            if not verify_redirect_signature_raw(raw, certs):
                raise PeerError("the AuthnRequest's redirect signature does not verify")
            request_signature = "valid"
        elif require_signed:
            raise PeerError("the AuthnRequest is not signed, but must be")

        # pysaml2 parses and checks the request (Destination, IssueInstant, Version, schema) and,
        # if signed, the signature once more: the redirect one (it re-encodes the query to check
        # it) or the enveloped one (with xmlsec1, against the SP metadata's certificates).
        self.idp.config.setattr("idp", "want_authn_requests_signed", request_signature == "valid")
        redirect_sig = {"sigalg": sig_alg, "signature": signature} if binding == BINDING_HTTP_REDIRECT else {}
        try:
            parsed = self.idp.parse_authn_request(encoded, binding, relay_state=relay_state, **redirect_sig)
            pysaml2_redirect_check = request_signature == "valid" or None
        except Exception as exc:  # noqa: BLE001
            if request_signature != "valid":
                raise PeerError(f"pysaml2 rejects the AuthnRequest: {error_text(exc)}") from exc
            # The spec check above passed; pysaml2 only rebuilds the signed string its own way
            # (redirect) or resolves the signature's key differently (POST): say so, go on.
            self.idp.config.setattr("idp", "want_authn_requests_signed", False)
            try:
                parsed = self.idp.parse_authn_request(encoded, binding)
            except Exception as exc2:  # noqa: BLE001
                raise PeerError(f"pysaml2 rejects the AuthnRequest: {error_text(exc2)}") from exc2
            pysaml2_redirect_check = False
        if parsed is None:
            raise PeerError("pysaml2 could not parse the AuthnRequest")
        message = parsed.message
        try:
            args = self.idp.response_args(message, [BINDING_HTTP_POST])
        except Exception as exc:  # noqa: BLE001
            raise PeerError(f"no HTTP-POST AssertionConsumerService matches the request: {error_text(exc)}") from exc
        acs = args["destination"]
        policy = message.name_id_policy
        rac = message.requested_authn_context
        build = {
            "sp_entity_id": sp_entity_id,
            "acs": acs,
            "in_response_to": message.id,
            "user": req.get("user") or {},
            "opts": {k: v for k, v in req.items() if k not in ("op", "authn_request_url", "user", "id")},
        }
        answer = self.build_response(build)
        answer.update(
            {
                "RelayState": relay_state,
                # The request's signature verified against the SP metadata's signing
                # certificate(s) (a signature that does not verify is refused above).
                "request_signed": request_signature == "valid",
                "request": {
                    "id": message.id,
                    "issuer": sp_entity_id,
                    "destination": message.destination,
                    "acs_url": message.assertion_consumer_service_url,
                    "acs_index": message.assertion_consumer_service_index,
                    "protocol_binding": message.protocol_binding,
                    "force_authn": message.force_authn,
                    "is_passive": message.is_passive,
                    "name_id_policy": (
                        {"format": policy.format, "allow_create": policy.allow_create} if policy is not None else None
                    ),
                    "requested_authn_context": (
                        {
                            "comparison": rac.comparison,
                            "class_refs": [c.text for c in rac.authn_context_class_ref],
                        }
                        if rac is not None
                        else None
                    ),
                    "binding": "redirect" if binding == BINDING_HTTP_REDIRECT else "post",
                    "signature": request_signature,
                    "sig_alg": sig_alg,
                    "pysaml2_signature_check": pysaml2_redirect_check,
                    "sso_url": base,
                    "xml": request_xml,
                },
            }
        )
        return answer

    def op_unsolicited(self, req: dict) -> dict:
        sp_entity_id = req.get("sp_entity_id") or req.get("audience")
        if not sp_entity_id:
            if len(self.sp_metadata_xml) != 1:
                raise PeerError("unsolicited needs audience (or exactly one SP's metadata loaded)")
            sp_entity_id = next(iter(self.sp_metadata_xml))
        acs = req.get("acs")
        if not acs:
            try:
                _b, acs = self.idp.pick_binding(
                    "assertion_consumer_service", bindings=[BINDING_HTTP_POST], entity_id=sp_entity_id
                )
            except Exception as exc:  # noqa: BLE001
                raise PeerError(f"unsolicited needs acs (none known for {sp_entity_id}): {error_text(exc)}") from exc
        build = {
            "sp_entity_id": sp_entity_id,
            "acs": acs,
            "in_response_to": None,
            "user": req.get("user") or {},
            "opts": {k: v for k, v in req.items() if k not in ("op", "user", "acs", "sp_entity_id", "id")},
        }
        answer = self.build_response(build)
        answer["RelayState"] = req.get("relay_state")
        return answer

    def build_response(self, build: dict) -> dict:
        """Builds a Response with pysaml2's create_authn_response, as `build` says, and remembers
        how (tamper's wrong_audience and expired rebuild it)."""
        sp_entity_id = build["sp_entity_id"]
        acs = build["acs"]
        in_response_to = build["in_response_to"]
        user = build["user"]
        opts = build["opts"]

        name_id_value = user.get("name_id")
        if not name_id_value:
            raise PeerError("user.name_id is required")
        fmt_key = user.get("name_id_format", "persistent")
        fmt = NAME_ID_FORMATS.get(fmt_key, fmt_key)
        name_id_args = {"format": fmt, "text": name_id_value}
        if fmt == NAMEID_FORMAT_PERSISTENT and user.get("name_qualifiers", True):
            name_id_args.update(name_qualifier=self.idp_entity_id, sp_name_qualifier=sp_entity_id)
        name_id = saml.NameID(**name_id_args)

        attributes = user.get("attributes") or {}
        identity = {}
        for k, v in attributes.items():
            identity[k] = [str(x) for x in (v if isinstance(v, list) else [v])]

        name_format_key = opts.get("attribute_name_format", "uri")
        if name_format_key not in ATTRIBUTE_NAME_FORMATS:
            raise PeerError(f"attribute_name_format must be one of {sorted(ATTRIBUTE_NAME_FORMATS)}")
        name_form, make_converter = ATTRIBUTE_NAME_FORMATS[name_format_key]

        lifetime = int(opts.get("lifetime_seconds", 300))
        not_before = int(opts.get("not_before_seconds", 0))
        if opts.get("expired"):
            lifetime, not_before = -600, -4200
        audience = opts.get("audience") or sp_entity_id

        signer_name = opts.get("signing_key", "idp")
        if signer_name not in ("idp", "attacker"):
            raise PeerError("signing_key must be idp or attacker")
        server = self.idp if signer_name == "idp" else self.attacker

        sign_alg = SIG_ALGS.get(opts.get("sig_alg", "rsa-sha256"))
        digest_alg = DIGEST_ALGS.get(opts.get("digest_alg", "sha256"))
        if sign_alg is None or digest_alg is None:
            raise PeerError(f"sig_alg must be one of {sorted(SIG_ALGS)}, digest_alg one of {sorted(DIGEST_ALGS)}")

        encrypt = bool(opts.get("encrypt_assertion", False))
        encrypt_cert = None
        if encrypt:
            data_alg = opts.get("encryption_algorithm", "aes256-cbc")
            key_alg = opts.get("key_transport_algorithm", "rsa-oaep-mgf1p")
            if data_alg not in DATA_ENC_ALGS or key_alg not in KEY_TRANSPORT_ALGS:
                raise PeerError(
                    f"encryption_algorithm must be one of {sorted(DATA_ENC_ALGS)}, "
                    f"key_transport_algorithm one of {sorted(KEY_TRANSPORT_ALGS)}"
                )
            server.peer_data_alg, server.peer_key_alg = data_alg, key_alg
            if opts.get("encryption_certificate"):
                _w, encrypt_cert = get_pem_wrapped_unwrapped(opts["encryption_certificate"])
            elif not server.metadata.certs(sp_entity_id, "spsso", "encryption"):
                raise PeerError(f"encrypt_assertion: {sp_entity_id}'s metadata has no encryption certificate")

        policy = PeerPolicy(
            audience=audience,
            lifetime_seconds=lifetime,
            not_before_seconds=not_before,
            name_form=name_form,
            mds=server.metadata,
        )
        farg = Server.update_farg(in_response_to, opts.get("recipient") or acs)
        authn = {
            "class_ref": user.get("authn_context_class_ref", PASSWORDPROTECTEDTRANSPORT),
            "authn_auth": self.idp_entity_id,
        }
        saved_converters = server.config.attribute_converters
        server.config.attribute_converters = [make_converter()]
        try:
            resp = server.create_authn_response(
                identity,
                in_response_to,
                opts.get("destination") or acs,
                sp_entity_id,
                name_id=name_id,
                authn=authn,
                sign_response=bool(opts.get("sign_response", True)),
                sign_assertion=bool(opts.get("sign_assertion", False)),
                encrypt_assertion=encrypt,
                encrypt_cert_assertion=encrypt_cert,
                encrypt_assertion_self_contained=True,
                sign_alg=sign_alg,
                digest_alg=digest_alg,
                release_policy=policy,
                farg=farg,
                issuer=saml.Issuer(text=opts["issuer"], format=saml.NAMEID_FORMAT_ENTITY) if opts.get("issuer") else None,
            )
        finally:
            server.config.attribute_converters = saved_converters
        xml = resp if isinstance(resp, str) else str(resp)
        if isinstance(resp, list):  # pysaml2's error-response path returns lines
            xml = "\n".join(resp)
        root = parse_xml(xml)
        if root.tag != q(NS_SAMLP, "Response"):
            raise PeerError(f"pysaml2 built no Response: {xml[:300]}")
        response_id = root.get("ID")
        self.issued[response_id] = copy.deepcopy(build)
        assertion = child(root, NS_SAML, "Assertion")
        return {
            "acs": acs,
            "SAMLResponse": b64(xml),
            "response_id": response_id,
            "assertion_id": assertion.get("ID") if assertion is not None else None,
            "in_response_to": in_response_to,
            "xml": xml,
        }

    # ---- IdP: attacks

    def op_tamper(self, req: dict) -> dict:
        attack = req.get("attack")
        if attack not in ATTACKS:
            raise PeerError(f"attack must be one of {ATTACKS} (replay: resend the same SAMLResponse)")
        xml = unb64(req.get("SAMLResponse") or "")
        root = parse_xml(xml)
        if root.tag != q(NS_SAMLP, "Response"):
            raise PeerError("SAMLResponse is not a samlp:Response")

        if attack in ("wrong_audience", "expired"):
            build = self.issued.get(root.get("ID"))
            if build is None:
                raise PeerError(f"{attack}: this peer did not issue response {root.get('ID')!r}")
            build = copy.deepcopy(build)
            if attack == "wrong_audience":
                build["opts"]["audience"] = req.get("audience") or "https://wrong-audience.test/saml/sp"
            else:
                build["opts"]["expired"] = True
            answer = self.build_response(build)
            answer["attack"] = attack
            answer["signature_intact"] = all_signatures_hold(parse_xml(answer["xml"]), self.idp_cert_pem)
            answer["xmlsec1_verifies"] = xmlsec1_verifies(self.xmlsec, answer["xml"], KEYS / "idp.crt")
            return answer

        if child(root, NS_SAML, "EncryptedAssertion") is not None and attack != "unsigned":
            raise PeerError(f"{attack} needs a plaintext assertion (build the response with encrypt_assertion false)")

        evil = req.get("evil_name_id") or DEFAULT_EVIL_NAME_ID
        evil_attributes = req.get("evil_attributes") or {}
        tamper = Tamper(root, evil, evil_attributes)
        getattr(tamper, attack)(req)
        out = to_xml(root)
        return {
            "attack": attack,
            "SAMLResponse": b64(out),
            "xml": out,
            "evil_name_id": evil if attack.startswith("xsw") else None,
            "signature_intact": all_signatures_hold(root, self.idp_cert_pem),
            "xmlsec1_verifies": xmlsec1_verifies(self.xmlsec, out, KEYS / "idp.crt"),
        }

    # ---- SP side (reverse direction)

    def configure_sp(self, req: dict) -> None:
        """(Re)builds the SP side from the request's entity_id, acs, slo, idp_metadata and
        sign_request; fields left out keep their last value."""
        entity_id = req.get("entity_id") or self.sp_settings.get("entity_id")
        acs = req.get("acs") or self.sp_settings.get("acs")
        if not entity_id or not acs:
            raise PeerError("the SP side needs entity_id and acs")
        slo = req.get("slo") or self.sp_settings.get("slo")
        idp_md = req.get("idp_metadata")
        idp_mds = [idp_md] if idp_md else self.sp_settings.get("idp_metadata", [])
        sign = req.get("sign_request")
        sign = bool(sign) if sign is not None else self.sp_settings.get("sign_requests", False)
        wanted = {"entity_id": entity_id, "acs": acs, "slo": slo, "idp_metadata": idp_mds, "sign_requests": sign}
        if self.sp is not None and wanted == self.sp_settings:
            return
        if self.sp_settings.get("entity_id") != entity_id:
            self.sp_outstanding.clear()
            self.sp_seen_assertions.clear()
            self.sp_sessions.clear()
            self.logout_outstanding["sp"].clear()
            self.logout_seen["sp"].clear()
        try:
            self.sp = Saml2Client(config=sp_config(entity_id, acs, slo, idp_mds, sign, self.xmlsec))
        except Exception as exc:  # noqa: BLE001
            raise PeerError(f"pysaml2 cannot configure the SP (IdP metadata?): {error_text(exc)}") from exc
        self.sp_settings = wanted

    def op_sp_describe(self, req: dict) -> dict:
        self.configure_sp(req)
        return {
            "sp_metadata": metadata_text(self.sp.config),
            "entity_id": self.sp_settings["entity_id"],
            "acs": self.sp_settings["acs"],
            "slo": self.sp_settings["slo"],
            "certificate": (KEYS / "sp.crt").read_text(),
        }

    def sp_idp_entity_id(self, req: dict) -> str:
        """The IdP the SP side talks to: the request's idp_entity_id, or the only one it knows."""
        if not self.sp_settings["idp_metadata"]:
            raise PeerError(f"{req.get('op')} needs idp_metadata (ciam's IdP metadata)")
        idps = self.sp.metadata.identity_providers()
        idp_entity_id = req.get("idp_entity_id") or (idps[0] if len(idps) == 1 else None)
        if not idp_entity_id:
            raise PeerError(f"several IdPs in the metadata, name one with idp_entity_id: {idps}")
        return idp_entity_id

    def op_sp_request(self, req: dict) -> dict:
        self.configure_sp(req)
        idp_entity_id = self.sp_idp_entity_id(req)
        binding_name = req.get("binding", "redirect")
        binding = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}.get(binding_name)
        if binding is None:
            raise PeerError("binding must be redirect or post")
        kwargs = {}
        if req.get("force_authn"):
            kwargs["force_authn"] = "true"
        if req.get("is_passive"):
            kwargs["is_passive"] = "true"
        if req.get("requested_authn_context"):
            kwargs["requested_authn_context"] = {"authn_context_class_ref": req["requested_authn_context"]}
        fmt = req.get("name_id_format")
        sig_alg = SIG_ALGS.get(req.get("sig_alg", "rsa-sha256"))
        if sig_alg is None:
            raise PeerError(f"sig_alg must be one of {sorted(SIG_ALGS)}")
        relay_state = req.get("relay_state", "")
        try:
            destination = self.sp.sso_location(idp_entity_id, binding)
        except Exception as exc:  # noqa: BLE001
            raise PeerError(
                f"{idp_entity_id}'s metadata has no SingleSignOnService for HTTP-{binding_name}: {error_text(exc)}"
            ) from exc
        # What pysaml2's prepare_for_authenticate does, for either binding: the AuthnRequest (ACS
        # by HTTP-POST), signed with sp.key, enveloped (POST) or over the query string (Redirect).
        sign = self.sp_settings["sign_requests"]
        post = binding == BINDING_HTTP_POST
        req_id, request = self.sp.create_authn_request(
            destination=destination,
            binding=BINDING_HTTP_POST,
            nameid_format=NAME_ID_FORMATS.get(fmt, fmt) if fmt else None,
            sign=sign and post,
            sign_alg=sig_alg,
            digest_alg=DIGEST_SHA256,
            **kwargs,
        )
        xml = str(request)
        answer = {
            "binding": binding_name,
            "request_id": req_id,
            "relay_state": relay_state,
            "idp_entity_id": idp_entity_id,
            "sp_metadata": metadata_text(self.sp.config),
            "xml": xml,
        }
        if post:
            # The form the browser posts (pysaml2's apply_binding would give it as HTML).
            answer.update({"action": destination, "SAMLRequest": b64(xml), "RelayState": relay_state or None})
            self.sp_outstanding[req_id] = destination
        else:
            info = self.sp.apply_binding(
                BINDING_HTTP_REDIRECT, xml, destination, relay_state, sign=sign, sigalg=sig_alg if sign else None
            )
            answer["url"] = redirect_location(info)
            self.sp_outstanding[req_id] = answer["url"]
        return answer

    def web_sso_profile_checks(self, resp) -> None:
        """What pysaml2 7.5 leaves out of its checks (SAML profiles §4.1.4.2): a bearer
        SubjectConfirmation whose SubjectConfirmationData names this SP's ACS as Recipient, has
        a NotOnOrAfter, and answers the request the Response answers."""
        acs = self.sp_settings["acs"]
        subject = resp.assertion.subject
        bearer = [
            sc
            for sc in (subject.subject_confirmation if subject is not None else [])
            if sc.method == saml.SCM_BEARER and sc.subject_confirmation_data is not None
        ]
        if not bearer:
            raise PeerCheckError("no bearer SubjectConfirmation with SubjectConfirmationData")
        for sc in bearer:
            data = sc.subject_confirmation_data
            if data.recipient != acs:
                continue
            if not data.not_on_or_after:
                continue
            if (data.in_response_to or None) != (resp.response.in_response_to or None):
                continue
            return
        data = bearer[0].subject_confirmation_data
        raise PeerCheckError(
            "no bearer SubjectConfirmationData for this SP: "
            f"Recipient={data.recipient!r} (want {acs!r}), NotOnOrAfter={data.not_on_or_after!r}, "
            f"InResponseTo={data.in_response_to!r} (Response: {resp.response.in_response_to!r})"
        )

    def op_sp_verify(self, req: dict) -> dict:
        if self.sp is None:
            raise PeerError("configure the SP side first (sp_describe or sp_request)")
        saml_response = req.get("SAMLResponse")
        if not saml_response:
            raise PeerError("sp_verify needs SAMLResponse")
        sp = self.sp
        sp.allow_unsolicited = bool(req.get("allow_unsolicited", False))
        sp.want_response_signed = bool(req.get("want_response_signed", False))
        sp.want_assertions_signed = bool(req.get("want_assertions_signed", False))
        sp.want_assertions_or_response_signed = bool(req.get("want_assertions_or_response_signed", True))
        errors = ErrorLog()
        saml_logger = logging.getLogger("saml2")
        saml_logger.addHandler(errors)
        try:
            resp = sp.parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding=self.sp_outstanding)
            # On some failures (a Destination that is not this SP's ACS, for one) pysaml2 logs
            # an error and returns a response without an assertion rather than raising.
            if resp is None or resp.assertion is None:
                raise PeerError("pysaml2 did not verify the response: " + ("; ".join(errors.messages) or "no assertion"))
            assertion = resp.assertion
            if assertion.id in self.sp_seen_assertions:
                raise PeerCheckError(f"replayed assertion {assertion.id}")
            self.web_sso_profile_checks(resp)
        except Exception as exc:  # noqa: BLE001
            return rejection("sp_verify", exc)
        finally:
            saml_logger.removeHandler(errors)
        self.sp_seen_assertions.add(assertion.id)
        if resp.in_response_to:
            self.sp_outstanding.pop(resp.in_response_to, None)
        name_id = resp.name_id
        authn = assertion.authn_statement[0] if assertion.authn_statement else None
        self.sp_sessions.append(
            {
                "issuer": resp.issuer(),
                "name_id": name_id.text if name_id is not None else None,
                "session_index": authn.session_index if authn is not None else None,
            }
        )
        raw_attributes: dict[str, list[str]] = {}
        for statement in assertion.attribute_statement:
            for attr in statement.attribute:
                raw_attributes.setdefault(attr.name, []).extend(v.text or "" for v in attr.attribute_value)
        conditions = assertion.conditions
        return {
            "verified": True,
            "name_id": name_id.text if name_id is not None else None,
            "name_id_format": name_id.format if name_id is not None else None,
            "name_qualifier": name_id.name_qualifier if name_id is not None else None,
            "sp_name_qualifier": name_id.sp_name_qualifier if name_id is not None else None,
            "attributes": resp.ava,
            "raw_attributes": raw_attributes,
            "issuer": resp.issuer(),
            "in_response_to": resp.in_response_to,
            "assertion_id": assertion.id,
            "audiences": [a.text for r in conditions.audience_restriction for a in r.audience] if conditions else [],
            "not_on_or_after": conditions.not_on_or_after if conditions else None,
            "session_index": authn.session_index if authn is not None else None,
            "authn_context_class_ref": (
                authn.authn_context.authn_context_class_ref.text
                if authn is not None and authn.authn_context and authn.authn_context.authn_context_class_ref
                else None
            ),
            "response_signed": resp.response.signature is not None,
            "assertion_signed": assertion.signature is not None,
            "assertion_encrypted": bool(resp.response.encrypted_assertion),
        }


    # ---- Single logout, HTTP-Redirect binding, for either role: "sp" (ciam is the IdP: ops
    # sp_logout, sp_logout_request, sp_logout_response) or "idp" (ciam is the SP: idp_logout,
    # idp_logout_request, idp_logout_response). Messages are signed over the query string
    # (bindings §3.4.4.1) and a received one must be, unless require_signature is false.

    def logout_role(self, role: str, signing_key: str = "idp") -> tuple[Saml2Client | Server, str, str]:
        """The pysaml2 entity playing `role`, that role's own SingleLogoutService URL, and the
        metadata descriptor type of the other party."""
        if role == "sp":
            if self.sp is None:
                raise PeerError("configure the SP side first (sp_describe or sp_request)")
            if not self.sp_settings.get("slo"):
                raise PeerError("the SP side has no SingleLogoutService: give slo (sp_describe)")
            return self.sp, self.sp_settings["slo"], "idpsso"
        if signing_key not in ("idp", "attacker"):
            raise PeerError("signing_key must be idp or attacker")
        if not self.slo_url:
            raise PeerError("the IdP side has no SingleLogoutService: start the peer with SAML_IDP_SLO_URL")
        return (self.idp if signing_key == "idp" else self.attacker), self.slo_url, "spsso"

    def counterpart(self, role: str, req: dict) -> str:
        """The other party's entity ID: idp_entity_id / sp_entity_id, or the only one known."""
        if role == "sp":
            return self.sp_idp_entity_id(req)
        sp_entity_id = req.get("sp_entity_id")
        if not sp_entity_id:
            if len(self.sp_metadata_xml) != 1:
                raise PeerError(f"{req.get('op')} needs sp_entity_id (or exactly one SP's metadata loaded)")
            sp_entity_id = next(iter(self.sp_metadata_xml))
        return sp_entity_id

    @staticmethod
    def knows(entity: Saml2Client | Server, entity_id: str, typ: str) -> bool:
        try:
            return bool(entity.metadata[entity_id].get(f"{typ}_descriptor"))
        except KeyError:
            return False

    @staticmethod
    def slo_service(entity: Saml2Client | Server, entity_id: str, typ: str) -> dict:
        """The other party's HTTP-Redirect SingleLogoutService, from its metadata."""
        try:
            srvs = entity.metadata.single_logout_service(entity_id, BINDING_HTTP_REDIRECT, typ)
        except Exception as exc:  # noqa: BLE001
            srvs, why = None, error_text(exc)
        else:
            why = "none listed"
        if not srvs:
            raise PeerError(f"{entity_id}'s metadata has no SingleLogoutService for HTTP-Redirect ({why})")
        return srvs[0]

    @staticmethod
    def signing_certs(entity: Saml2Client | Server, entity_id: str, typ: str) -> list[bytes]:
        try:
            return [pem_of_cert_body(c) for _n, c in entity.metadata.certs(entity_id, typ, "signing")]
        except Exception:  # noqa: BLE001
            return []

    @staticmethod
    def check_redirect_signature(raw: dict, params: dict, certs: list[bytes], what: str, require: bool) -> str:
        """"valid" or "absent" (allowed only when not `require`d); otherwise PeerCheckError."""
        sig_alg, signature = params.get("SigAlg"), params.get("Signature")
        if sig_alg is None and signature is None:
            if require:
                raise PeerCheckError(f"the {what} is not signed (no SigAlg and Signature): a signature is required")
            return "absent"
        if sig_alg is None or signature is None:
            raise PeerCheckError("SigAlg and Signature must come together")
        if not certs:
            raise PeerCheckError(f"the {what}'s issuer has no signing certificate in the metadata")
        try:
            holds = verify_redirect_signature_raw(raw, certs)
        except Exception as exc:  # noqa: BLE001
            raise PeerCheckError(f"the {what}'s redirect signature cannot be checked: {error_text(exc)}") from exc
        if not holds:
            raise PeerCheckError(f"the {what}'s redirect signature does not verify")
        return "valid"

    @staticmethod
    def check_issue_instant(entity: Saml2Client | Server, value: str | None, what: str) -> None:
        """pysaml2 accepts a day either way; these messages are made just before the redirect."""
        if not value:
            raise PeerCheckError(f"the {what} has no IssueInstant")
        slack = entity.config.accepted_time_diff or 0
        age = time.time() - saml_time(value)
        if age > MESSAGE_AGE_LIMIT + slack or age < -slack:
            raise PeerCheckError(
                f"the {what}'s IssueInstant {value} is {age:.0f} s in the past (allowed: 0..{MESSAGE_AGE_LIMIT})"
            )

    @staticmethod
    def inflate_message(params: dict, kind: str) -> etree._Element:
        """The deflated, base64-encoded message `kind` (SAMLRequest/SAMLResponse) of the query."""
        if kind not in params:
            raise PeerCheckError(f"the URL carries no {kind}")
        try:
            return parse_xml(inflate_redirect(params[kind]))
        except Exception as exc:  # noqa: BLE001
            raise PeerCheckError(f"{kind} is not a deflated, base64-encoded XML document: {error_text(exc)}") from exc

    @staticmethod
    def pysaml2_parse_logout_request(entity: Saml2Client | Server, params: dict, signed: bool):
        """pysaml2 parses the LogoutRequest (schema, Version, Destination against this role's
        SingleLogoutService, IssueInstant within a day) and, when signed, checks the redirect
        signature once more its own way (it re-encodes the query). Returns (the parsed request,
        whether pysaml2's own signature check passed, None if unsigned)."""
        # pysaml2 checks a request's redirect signature when the configuration says
        # want_authn_requests_signed in the "idp" context, for any entity and message type.
        saved = entity.config.getattr("want_authn_requests_signed", "idp")
        args = {
            "relay_state": params.get("RelayState"),
            "sigalg": params.get("SigAlg"),
            "signature": params.get("Signature"),
        }
        try:
            entity.config.setattr("idp", "want_authn_requests_signed", signed)
            try:
                parsed = entity.parse_logout_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT, **args)
                check = signed or None
            except Exception:  # noqa: BLE001
                if not signed:
                    raise
                # The spec check passed; pysaml2 only rebuilds the signed string its own way.
                entity.config.setattr("idp", "want_authn_requests_signed", False)
                parsed = entity.parse_logout_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT, **args)
                check = False
        finally:
            entity.config.setattr("idp", "want_authn_requests_signed", saved)
        if parsed is None or parsed.message is None:
            raise PeerError("pysaml2 could not parse the LogoutRequest")
        return parsed, check

    def check_logout_request(self, role: str, url: str, require_signature: bool) -> dict:
        """A LogoutRequest by HTTP-Redirect, checked; raises on anything wrong."""
        entity, own_slo, peer_typ = self.logout_role(role)
        raw, params, base = split_query(url)
        if base != own_slo:
            raise PeerCheckError(f"sent to {base}, not to this {role}'s SingleLogoutService {own_slo}")
        root = self.inflate_message(params, "SAMLRequest")
        if root.tag != q(NS_SAMLP, "LogoutRequest"):
            raise PeerCheckError(f"SAMLRequest is not a samlp:LogoutRequest but {root.tag}")
        issuer = text_of(child(root, NS_SAML, "Issuer"))
        if not issuer or not self.knows(entity, issuer, peer_typ):
            raise PeerCheckError(f"LogoutRequest from an unknown issuer {issuer!r} (not in the {peer_typ} metadata)")
        signature = self.check_redirect_signature(
            raw, params, self.signing_certs(entity, issuer, peer_typ), "LogoutRequest", require_signature
        )
        parsed, pysaml2_check = self.pysaml2_parse_logout_request(entity, params, signature == "valid")
        message = parsed.message
        # What pysaml2 leaves out: a signed message names its Destination (bindings §3.4.5.2),
        # a fresh IssueInstant, NotOnOrAfter, a NameID, no replay.
        if message.destination != own_slo and (message.destination or signature == "valid"):
            raise PeerCheckError(f"Destination {message.destination!r} is not this SingleLogoutService {own_slo}")
        self.check_issue_instant(entity, message.issue_instant, "LogoutRequest")
        slack = entity.config.accepted_time_diff or 0
        if message.not_on_or_after and saml_time(message.not_on_or_after) <= time.time() - slack:
            raise PeerCheckError(f"the LogoutRequest expired (NotOnOrAfter {message.not_on_or_after})")
        if message.name_id is None:
            raise PeerCheckError("the LogoutRequest has no NameID (BaseID and EncryptedID are not supported)")
        if message.id in self.logout_seen[role]:
            raise PeerCheckError(f"replayed LogoutRequest {message.id}")
        return {
            "message": message,
            "issuer": issuer,
            "relay_state": params.get("RelayState"),
            "signature": signature,
            "sig_alg": params.get("SigAlg"),
            "pysaml2_signature_check": pysaml2_check,
            "xml": to_xml(root),
        }

    def end_sp_sessions(self, issuer: str, name_id: str, indexes: list[str]) -> bool:
        """Ends the SP's sessions a LogoutRequest names; whether there was one."""
        ended = [
            s
            for s in self.sp_sessions
            if s["issuer"] == issuer and s["name_id"] == name_id and (not indexes or s["session_index"] in indexes)
        ]
        for s in ended:
            self.sp_sessions.remove(s)
        return bool(ended)

    def receive_logout_request(self, role: str, req: dict) -> dict:
        """sp_logout / idp_logout: the LogoutRequest the other party sent the browser here with
        (by HTTP-Redirect), verified by pysaml2 and the peer, and answered: a LogoutResponse
        (InResponseTo the request, the status asked for, RelayState echoed) by HTTP-Redirect to the
        other party's SingleLogoutService (its ResponseLocation if any), signed with this role's
        key unless sign_response is false."""
        op = req.get("op")
        url = req.get("url")
        if not url:
            raise PeerError(f"{op} needs url (this side's SingleLogoutService URL with SAMLRequest, …)")
        entity, _own_slo, peer_typ = self.logout_role(role)
        status = logout_status(req.get("status", "success"), req.get("status_message"))
        sig_alg = SIG_ALGS.get(req.get("sig_alg", "rsa-sha256"))
        if sig_alg is None:
            raise PeerError(f"sig_alg must be one of {sorted(SIG_ALGS)}")
        try:
            got = self.check_logout_request(role, url, bool(req.get("require_signature", True)))
        except Exception as exc:  # noqa: BLE001
            return rejection(op, exc)
        message = got["message"]
        srv = self.slo_service(entity, got["issuer"], peer_typ)
        destination = srv.get("response_location") or srv["location"]
        name_id = message.name_id
        session_indexes = [si.text for si in message.session_index]
        self.logout_seen[role].add(message.id)
        known = self.end_sp_sessions(got["issuer"], name_id.text, session_indexes) if role == "sp" else None
        response = entity.create_logout_response(message, bindings=[BINDING_HTTP_REDIRECT], status=status, sign=False)
        response.destination = destination
        response_xml = str(response)
        sign = bool(req.get("sign_response", True))
        info = entity.apply_binding(
            BINDING_HTTP_REDIRECT,
            response_xml,
            destination,
            got["relay_state"] or "",
            response=True,
            sign=sign,
            sigalg=sig_alg,
        )
        return {
            "verified": True,
            "issuer": got["issuer"],
            "name_id": name_id.text,
            "name_id_format": name_id.format,
            "name_qualifier": name_id.name_qualifier,
            "sp_name_qualifier": name_id.sp_name_qualifier,
            "session_indexes": session_indexes,
            "request_id": message.id,
            "destination": message.destination,
            "issue_instant": message.issue_instant,
            "not_on_or_after": message.not_on_or_after,
            "reason": message.reason,
            "relay_state": got["relay_state"],
            "signature": got["signature"],
            "sig_alg": got["sig_alg"],
            "pysaml2_signature_check": got["pysaml2_signature_check"],
            "known_session": known,
            "xml": got["xml"],
            "logout_response_url": redirect_location(info),
            "logout_response_id": response.id,
            "logout_response_status": response.status.status_code.value,
            "logout_response_xml": response_xml,
        }

    def send_logout_request(self, role: str, req: dict) -> dict:
        """sp_logout_request / idp_logout_request: a LogoutRequest for name_id (and its session
        indexes) by HTTP-Redirect to the other party's SingleLogoutService (from its metadata),
        signed over the query string unless sign is false. The answer comes to *_logout_response."""
        if role == "sp":
            self.configure_sp(req)
        entity, _own_slo, peer_typ = self.logout_role(role, req.get("signing_key", "idp"))
        peer = self.counterpart(role, req)
        if not req.get("name_id"):
            raise PeerError(f"{req.get('op')} needs name_id")
        fmt = req.get("name_id_format")
        name_id = saml.NameID(
            text=req["name_id"],
            format=NAME_ID_FORMATS.get(fmt, fmt) if fmt else None,
            name_qualifier=req.get("name_qualifier"),
            sp_name_qualifier=req.get("sp_name_qualifier"),
        )
        indexes = req.get("session_indexes")
        if indexes is None and req.get("session_index"):
            indexes = [req["session_index"]]
        sig_alg = SIG_ALGS.get(req.get("sig_alg", "rsa-sha256"))
        if sig_alg is None:
            raise PeerError(f"sig_alg must be one of {sorted(SIG_ALGS)}")
        location = self.slo_service(entity, peer, peer_typ)["location"]
        lifetime = req.get("lifetime_seconds")
        req_id, message = entity.create_logout_request(
            location,
            peer,
            name_id=name_id,
            reason=req.get("reason"),
            expire=in_a_while(seconds=int(lifetime)) if lifetime is not None else None,
            session_indexes=indexes,
            sign=False,
        )
        if req.get("destination"):  # negative tests: the message names another Destination
            message.destination = req["destination"]
        xml = str(message)
        relay_state = req.get("relay_state", "")
        sign = bool(req.get("sign", True))
        info = entity.apply_binding(BINDING_HTTP_REDIRECT, xml, location, relay_state, sign=sign, sigalg=sig_alg)
        self.logout_outstanding[role][req_id] = {"peer": peer, "destination": location}
        return {
            "url": redirect_location(info),
            "request_id": req_id,
            "relay_state": relay_state,
            "destination": message.destination,
            ("idp_entity_id" if role == "sp" else "sp_entity_id"): peer,
            "xml": xml,
        }

    def receive_logout_response(self, role: str, req: dict) -> dict:
        """sp_logout_response / idp_logout_response: the LogoutResponse the other party sent the
        browser here with (by HTTP-Redirect), answering a LogoutRequest this role sent. A
        non-Success status is reported (success false), not refused."""
        op = req.get("op")
        url = req.get("url")
        if not url:
            raise PeerError(f"{op} needs url (this side's SingleLogoutService URL with SAMLResponse, …)")
        entity, own_slo, peer_typ = self.logout_role(role)
        outstanding = self.logout_outstanding[role]
        try:
            raw, params, base = split_query(url)
            if base != own_slo:
                raise PeerCheckError(f"sent to {base}, not to this {role}'s SingleLogoutService {own_slo}")
            root = self.inflate_message(params, "SAMLResponse")
            if root.tag != q(NS_SAMLP, "LogoutResponse"):
                raise PeerCheckError(f"SAMLResponse is not a samlp:LogoutResponse but {root.tag}")
            issuer = text_of(child(root, NS_SAML, "Issuer"))
            in_response_to = root.get("InResponseTo")
            sent = outstanding.get(in_response_to or "")
            if sent is None:
                raise PeerCheckError(f"InResponseTo {in_response_to!r} answers no open LogoutRequest of this {role}")
            if issuer != sent["peer"]:
                raise PeerCheckError(f"Issuer {issuer!r} is not {sent['peer']!r}, whom the LogoutRequest went to")
            signature = self.check_redirect_signature(
                raw,
                params,
                self.signing_certs(entity, issuer, peer_typ),
                "LogoutResponse",
                bool(req.get("require_signature", True)),
            )
            # pysaml2 parses it (schema, Version, a signature inside the XML if any); it does not
            # check the redirect signature nor (effectively) Destination, and raises on a
            # non-Success status.
            try:
                if entity.parse_logout_request_response(params["SAMLResponse"], BINDING_HTTP_REDIRECT) is None:
                    raise PeerError("pysaml2 could not parse the LogoutResponse")
            except StatusError:
                pass
            destination = root.get("Destination")
            if destination != own_slo and (destination or signature == "valid"):
                raise PeerCheckError(f"Destination {destination!r} is not this SingleLogoutService {own_slo}")
            self.check_issue_instant(entity, root.get("IssueInstant"), "LogoutResponse")
        except Exception as exc:  # noqa: BLE001
            return rejection(op, exc)
        outstanding.pop(in_response_to, None)
        status = child(root, NS_SAMLP, "Status")
        code = child(status, NS_SAMLP, "StatusCode") if status is not None else None
        sub = child(code, NS_SAMLP, "StatusCode") if code is not None else None
        top = code.get("Value") if code is not None else None
        return {
            "verified": True,
            "issuer": issuer,
            "in_response_to": in_response_to,
            "response_id": root.get("ID"),
            "destination": destination,
            "status": top,
            "sub_status": sub.get("Value") if sub is not None else None,
            "status_message": text_of(child(status, NS_SAMLP, "StatusMessage")) if status is not None else None,
            "success": top == STATUS_SUCCESS,
            "relay_state": params.get("RelayState"),
            "signature": signature,
            "sig_alg": params.get("SigAlg"),
            "xml": to_xml(root),
        }


class ErrorLog(logging.Handler):
    """Collects the error messages pysaml2 logs meanwhile."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        try:
            self.messages.append(record.getMessage()[:500])
        except Exception:  # noqa: BLE001
            pass


def pysaml2_version() -> str:
    try:
        from importlib.metadata import version

        return version("pysaml2")
    except Exception:  # noqa: BLE001
        return "unknown"


class Tamper:
    """The signature-wrapping variants of SAML Raider (XSW1-XSW8, after "On Breaking SAML",
    Somorovsky et al. 2012) and friends, on an lxml tree. The element the original signature
    references always survives byte-for-byte (as far as canonicalization sees) somewhere in the
    document; the copy the application is meant to read is the evil one."""

    def __init__(self, root, evil_name_id, evil_attributes):
        self.root = root
        self.evil = evil_name_id
        self.evil_attributes = evil_attributes
        assertion = child(root, NS_SAML, "Assertion")
        self.assertion = assertion
        self.original_name_id = None
        if assertion is not None:
            nid = assertion.find(f"{q(NS_SAML, 'Subject')}/{q(NS_SAML, 'NameID')}")
            if nid is not None:
                self.original_name_id = "".join(nid.itertext())

    # -- pieces

    def response_signature(self):
        sig = child(self.root, NS_DS, "Signature")
        if sig is None:
            raise PeerError("this attack needs a signed Response (sign_response true)")
        return sig

    def assertion_signature(self):
        if self.assertion is None:
            raise PeerError("the response has no (plaintext) Assertion")
        sig = child(self.assertion, NS_DS, "Signature")
        if sig is None:
            raise PeerError("this attack needs a signed Assertion (sign_assertion true)")
        return sig

    def make_evil(self, el):
        """Rewrites the subject of everything under `el`: the NameID, the attribute values that
        repeated it, and the attributes the test named."""
        for nid in el.iter(q(NS_SAML, "NameID")):
            if nid.getparent() is not None and nid.getparent().tag == q(NS_SAML, "Subject"):
                for c in list(nid):
                    nid.remove(c)
                nid.text = self.evil
        for attr in el.iter(q(NS_SAML, "Attribute")):
            values = attr.findall(q(NS_SAML, "AttributeValue"))
            wanted = None
            for key in (attr.get("Name"), attr.get("FriendlyName")):
                if key is not None and key in self.evil_attributes:
                    wanted = self.evil_attributes[key]
            if wanted is not None:
                wanted = wanted if isinstance(wanted, list) else [wanted]
                template = values[0] if values else etree.SubElement(attr, q(NS_SAML, "AttributeValue"))
                for v in values:
                    detach(v)
                for text in wanted:
                    v = copy.deepcopy(template)
                    for c in list(v):
                        v.remove(c)
                    v.text = str(text)
                    v.tail = None
                    attr.append(v)
            elif self.original_name_id is not None:
                for v in values:
                    if "".join(v.itertext()) == self.original_name_id:
                        for c in list(v):
                            v.remove(c)
                        v.text = self.evil

    @staticmethod
    def unsigned_copy(el):
        clone = copy.deepcopy(el)
        clone.tail = None
        sig = child(clone, NS_DS, "Signature")
        if sig is not None:
            detach(sig)
        return clone

    # -- Response-level wrapping (the Response is signed)

    def evil_response(self):
        """The Response in place turned evil, with fresh IDs for it and its assertions (so that
        no ID appears twice and only the wrapping itself is under test)."""
        self.make_evil(self.root)
        self.root.set("ID", new_id("response"))
        for a in self.root.findall(q(NS_SAML, "Assertion")):
            a.set("ID", new_id("assertion"))

    def xsw1(self, _req):
        """Evil unsigned Response outside (new ID); the original signed Response, minus its
        signature, inside the Response's Signature, in a ds:Object."""
        sig = self.response_signature()
        original = self.unsigned_copy(self.root)
        self.evil_response()
        obj = etree.SubElement(sig, q(NS_DS, "Object"))
        obj.append(original)

    def xsw2(self, _req):
        """As xsw1, but the original Response sits in the evil one just before the Signature
        (a detached signature)."""
        sig = self.response_signature()
        original = self.unsigned_copy(self.root)
        self.evil_response()
        sig.addprevious(original)

    # -- Assertion-level wrapping (the Assertion is signed)

    def xsw3(self, _req):
        """An evil unsigned Assertion (new ID) inserted before the signed one."""
        self.assertion_signature()
        evil = self.unsigned_copy(self.assertion)
        self.make_evil(evil)
        evil.set("ID", new_id("assertion"))
        self.assertion.addprevious(evil)

    def xsw4(self, _req):
        """An evil unsigned Assertion (new ID) in the Response, the signed one moved inside it."""
        self.assertion_signature()
        evil = self.unsigned_copy(self.assertion)
        self.make_evil(evil)
        evil.set("ID", new_id("assertion"))
        self.root.append(evil)
        evil.append(detach(self.assertion))

    def xsw5(self, _req):
        """The Assertion in place turned evil (new ID, still carrying the original Signature);
        an unsigned copy of the original appended to the Response."""
        self.assertion_signature()
        original = self.unsigned_copy(self.assertion)
        self.make_evil(self.assertion)
        self.assertion.set("ID", new_id("assertion"))
        self.root.append(original)

    def xsw6(self, _req):
        """The Assertion in place turned evil (new ID); an unsigned copy of the original inside
        its Signature element."""
        sig = self.assertion_signature()
        original = self.unsigned_copy(self.assertion)
        self.make_evil(self.assertion)
        self.assertion.set("ID", new_id("assertion"))
        sig.append(original)

    def xsw7(self, _req):
        """An evil unsigned copy of the Assertion (same ID) in a samlp:Extensions element placed
        before the untouched signed Assertion."""
        self.assertion_signature()
        evil = self.unsigned_copy(self.assertion)
        self.make_evil(evil)
        extensions = etree.Element(q(NS_SAMLP, "Extensions"))
        self.assertion.addprevious(extensions)
        extensions.append(evil)

    def xsw8(self, _req):
        """The Assertion in place turned evil (same ID, original Signature kept); an unsigned
        copy of the original in a ds:Object inside that Signature."""
        sig = self.assertion_signature()
        original = self.unsigned_copy(self.assertion)
        self.make_evil(self.assertion)
        obj = etree.SubElement(sig, q(NS_DS, "Object"))
        obj.append(original)

    # -- others

    def comment_injection(self, req):
        """CVE-2017-11427: a comment inside the NameID (and the attribute values repeating it).
        Canonicalization drops comments, so the signature still holds; a parser that reads
        only the first text node sees the prefix."""
        if self.original_name_id is None:
            raise PeerError("no NameID to inject into")
        text = self.original_name_id
        prefix = req.get("prefix")
        if prefix is None:
            head, _dot, _rest = text.rpartition(".")
            head, _dot, _rest = head.rpartition(".")
            prefix = head
        if not prefix or not text.startswith(prefix) or prefix == text:
            raise PeerError(f"comment_injection: prefix {prefix!r} must be a proper prefix of {text!r}")
        suffix = text[len(prefix) :]

        def inject(el):
            for c in list(el):
                el.remove(c)
            el.text = prefix
            comment = etree.Comment("")
            comment.tail = suffix
            el.append(comment)

        for nid in self.root.iter(q(NS_SAML, "NameID")):
            if "".join(nid.itertext()) == text:
                inject(nid)
        for v in self.root.iter(q(NS_SAML, "AttributeValue")):
            if "".join(v.itertext()) == text and len(v) == 0:
                inject(v)

    def unsigned(self, _req):
        """Every ds:Signature removed."""
        for sig in list(self.root.iter(q(NS_DS, "Signature"))):
            detach(sig)


# --------------------------------------------------------------------------------------------
# The JSON-lines loop


def log(msg: str) -> None:
    print(f"[saml-peer] {msg}", file=sys.stderr, flush=True)


def serve() -> int:
    # stdout carries the protocol only: anything else writing to fd 1 (a library's print, a
    # subprocess) goes to stderr instead.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(obj: dict) -> None:
        out.write(json.dumps(obj, separators=(",", ":")) + "\n")
        out.flush()

    try:
        peer = Peer()
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        send({"ready": False, "ok": False, "error": error_text(exc)})
        return 2
    send(peer.ready())
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req_id = None
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise PeerError("each line must be a JSON object")
            req_id = req.get("id")
            answer = peer.handle(req)
        except PeerError as exc:
            log(f"error: {exc}")
            answer = {"ok": False, "error": str(exc)}
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            answer = {"ok": False, "error": error_text(exc)}
        if req_id is not None:
            answer["id"] = req_id
        send(answer)
    return 0


# --------------------------------------------------------------------------------------------
# Self-test: pysaml2 against itself, through the JSON protocol of a child process.


class Child:
    def __init__(self):
        env = dict(os.environ)
        env.setdefault("SAML_IDP_ENTITY_ID", "https://idp.test/saml")
        env.setdefault("SAML_IDP_SSO_URL", "https://idp.test/sso")
        env.setdefault("SAML_IDP_SLO_URL", "https://idp.test/slo")
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("SAML_PEER_DEBUG") else subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.ready = json.loads(self.proc.stdout.readline())

    def call(self, **req) -> dict:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the peer exited")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def resign_lowercase(url: str) -> str:
    """The URL's query re-encoded with lower-case %-escapes and signed again (RSA-SHA256,
    idp.key), as another encoder might: the signature covers the query exactly as sent."""
    _raw, params, base = split_query(url)

    def enc(value: str) -> str:
        return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(value, safe=""))

    parts = [f"SAMLRequest={enc(params['SAMLRequest'])}"]
    if "RelayState" in params:
        parts.append(f"RelayState={enc(params['RelayState'])}")
    parts.append(f"SigAlg={enc(SIG_RSA_SHA256)}")
    key = serialization.load_pem_private_key((KEYS / "idp.key").read_bytes(), password=None)
    signature = key.sign("&".join(parts).encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{base}?{'&'.join(parts)}&Signature={enc(base64.b64encode(signature).decode('ascii'))}"


def self_test() -> int:
    results: list[tuple[str, bool, str]] = []

    def check(name: str, ok: bool, detail: str = "") -> bool:
        results.append((name, ok, detail))
        detail = detail if len(detail) <= 160 else detail[:160] + " [...]"
        print(f"{'ok  ' if ok else 'FAIL'} {name}{(' - ' + detail) if detail else ''}", flush=True)
        return ok

    peer = Child()
    try:
        check("ready line", peer.ready.get("ready") is True and "EntityDescriptor" in peer.ready.get("idp_metadata", ""))
        idp_entity = peer.ready["entity_id"]
        idp_slo = peer.ready.get("slo_url")
        check("ready line: IdP SingleLogoutService", idp_slo and f'Location="{idp_slo}"' in peer.ready["idp_metadata"])
        sp_entity = "https://sp.test/saml/selftest"
        sp_acs = "https://sp.test/saml/selftest/acs"
        sp_slo = "https://sp.test/saml/selftest/slo"

        # The peer's SP side describes itself; its IdP side loads that metadata.
        d = peer.call(op="sp_describe", entity_id=sp_entity, acs=sp_acs, slo=sp_slo)
        check(
            "sp_describe",
            d.get("ok") and "SPSSODescriptor" in d.get("sp_metadata", "") and d["slo"] == sp_slo,
            d.get("error", ""),
        )
        m = peer.call(op="sp_metadata", xml=d["sp_metadata"])
        check(
            "sp_metadata",
            m.get("ok") and m["entities"][0]["acs"][0]["location"] == sp_acs and m["entities"][0]["encryption_certificates"] >= 1,
            json.dumps(m)[:300],
        )
        check(
            "sp_metadata: SingleLogoutService (HTTP-Redirect)",
            m.get("ok") and m["entities"][0]["slo"] == [{"location": sp_slo, "binding": BINDING_HTTP_REDIRECT, "response_location": None}],
            json.dumps(m.get("entities"))[:300],
        )

        user = {
            "name_id": "ada@x.test",
            "name_id_format": "email",
            "attributes": {"mail": ["ada@x.test"], "givenName": ["Ada"], "sn": ["Lovelace"]},
        }

        def new_request(sign: bool = False) -> dict:
            r = peer.call(
                op="sp_request",
                idp_metadata=peer.ready["idp_metadata"],
                entity_id=sp_entity,
                acs=sp_acs,
                relay_state="state-123",
                sign_request=sign,
            )
            if not r.get("ok"):
                raise RuntimeError(f"sp_request failed: {r}")
            return r

        def respond(sign: bool = False, **flags) -> tuple[dict, dict]:
            req = new_request(sign)
            ans = peer.call(op="respond", authn_request_url=req["url"], user=flags.pop("user", user), **flags)
            return req, ans

        # --- genuine responses, every signing/encryption combination
        combos = [
            dict(sign_response=True, sign_assertion=False, encrypt_assertion=False),
            dict(sign_response=False, sign_assertion=True, encrypt_assertion=False),
            dict(sign_response=True, sign_assertion=True, encrypt_assertion=False),
            dict(sign_response=True, sign_assertion=False, encrypt_assertion=True),
            dict(sign_response=False, sign_assertion=True, encrypt_assertion=True),
            dict(sign_response=True, sign_assertion=True, encrypt_assertion=True),
        ]
        for i, flags in enumerate(combos):
            name = "respond " + ",".join(k for k, v in flags.items() if v)
            req, ans = respond(sign=(i % 2 == 1), **flags)
            if not check(name + ": built", ans.get("ok"), ans.get("error", "")):
                continue
            check(
                name + ": InResponseTo, RelayState, ACS",
                ans["in_response_to"] == req["request_id"] and ans["RelayState"] == "state-123" and ans["acs"] == sp_acs,
            )
            xml = ans["xml"]
            check(
                name + ": RSA-SHA256 / SHA-256",
                ("rsa-sha256" in xml and "xmlenc#sha256" in xml) if not flags["encrypt_assertion"] or flags["sign_response"] else True,
            )
            if flags["encrypt_assertion"]:
                check(name + ": encrypted (aes256-cbc)", "EncryptedAssertion" in xml and "aes256-cbc" in xml and "<saml:Assertion" not in xml)
            v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
            check(
                name + ": pysaml2 SP accepts",
                v.get("verified") is True
                and v["name_id"] == "ada@x.test"
                and v["attributes"].get("givenName") == ["Ada"]
                and v["audiences"] == [sp_entity],
                v.get("error", ""),
            )
            r = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
            check(name + ": replay rejected", r.get("verified") is False, r.get("error", ""))

        # --- the request's redirect signature was seen and checked
        req, ans = respond(sign=True, sign_response=True)
        check(
            "signed AuthnRequest verified",
            ans.get("ok")
            and ans["request_signed"] is True
            and ans["request"]["signature"] == "valid"
            and ans["request"]["pysaml2_signature_check"] is True,
            json.dumps(ans.get("request", ans))[:300],
        )
        bad_url = req["url"].replace("RelayState=state-123", "RelayState=state-124")
        bad = peer.call(op="respond", authn_request_url=bad_url, user=user)
        check("tampered signed AuthnRequest refused", bad.get("ok") is False, bad.get("error", ""))
        _req, ans = respond(sign=False, sign_response=True)
        check("unsigned AuthnRequest reported", ans.get("ok") and ans["request_signed"] is False, ans.get("error", ""))
        unsigned = new_request(False)
        bad = peer.call(op="respond", authn_request_url=unsigned["url"], user=user, require_signed_request=True)
        check("unsigned AuthnRequest refused when required", bad.get("ok") is False, bad.get("error", ""))

        # --- other algorithms
        for alg in ["aes128-cbc", "aes192-cbc", "aes128-gcm", "aes256-gcm", "tripledes-cbc"]:
            _req, ans = respond(sign_response=True, encrypt_assertion=True, encryption_algorithm=alg)
            v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"]) if ans.get("ok") else ans
            check(f"encryption {alg}: pysaml2 SP decrypts", v.get("verified") is True and alg in ans["xml"], v.get("error", ""))
        _req, ans = respond(sign_response=True, encrypt_assertion=True, key_transport_algorithm="rsa-1_5")
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"]) if ans.get("ok") else ans
        check("key transport rsa-1_5: pysaml2 SP decrypts", v.get("verified") is True and "rsa-1_5" in ans["xml"], v.get("error", ""))
        _req, ans = respond(sign_response=True, sig_alg="rsa-sha1", digest_alg="sha1")
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("rsa-sha1 signature built and accepted by pysaml2", "xmldsig#rsa-sha1" in ans.get("xml", "") and v.get("verified") is True, v.get("error", ""))

        # --- attribute name formats
        _req, ans = respond(sign_response=True)
        check("uri names", 'Name="urn:oid:0.9.2342.19200300.100.1.3"' in ans["xml"] and 'FriendlyName="mail"' in ans["xml"])
        _req, ans = respond(sign_response=True, attribute_name_format="basic")
        check("basic names", 'Name="givenName"' in ans["xml"] and "attrname-format:basic" in ans["xml"])

        # --- negative responses, built by pysaml2
        _req, ans = respond(sign_response=False, sign_assertion=False)
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("unsigned response rejected", v.get("verified") is False, v.get("error", ""))
        _req, ans = respond(sign_response=True, signing_key="attacker")
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("response signed by an untrusted key rejected", v.get("verified") is False, v.get("error", ""))
        _req, ans = respond(sign_response=True, audience="https://other.test/sp")
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("audience option: rejected", v.get("verified") is False, v.get("error", ""))
        _req, ans = respond(sign_response=True, expired=True)
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("expired option: rejected", v.get("verified") is False, v.get("error", ""))
        _req, ans = respond(sign_response=True, not_before_seconds=3600, lifetime_seconds=7200)
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("not yet valid: rejected", v.get("verified") is False, v.get("error", ""))
        _req, ans = respond(sign_response=True, destination="https://elsewhere.test/acs")
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("wrong Destination: rejected", v.get("verified") is False, v.get("error", ""))

        _req, ans = respond(sign_response=True, issuer="https://other-idp.test/saml")
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("issuer option: unknown issuer rejected", "other-idp.test" in ans.get("xml", "") and v.get("verified") is False, v.get("error", ""))
        _req, ans = respond(sign_response=True, recipient="https://elsewhere.test/acs")
        v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
        check("recipient option: wrong Recipient rejected (a peer check: pysaml2 7.5 ignores Recipient)", 'Recipient="https://elsewhere.test/acs"' in ans.get("xml", "") and v.get("verified") is False, v.get("error", ""))

        # --- unsolicited
        u = peer.call(op="unsolicited", acs=sp_acs, audience=sp_entity, user=user, sign_assertion=True)
        check("unsolicited built without InResponseTo", u.get("ok") and "InResponseTo" not in u["xml"], u.get("error", ""))
        v = peer.call(op="sp_verify", SAMLResponse=u["SAMLResponse"])
        check("unsolicited rejected when not allowed", v.get("verified") is False, v.get("error", ""))
        v = peer.call(op="sp_verify", SAMLResponse=u["SAMLResponse"], allow_unsolicited=True)
        check("unsolicited accepted when allowed", v.get("verified") is True and v["in_response_to"] is None, v.get("error", ""))
        v = peer.call(op="sp_verify", SAMLResponse=u["SAMLResponse"], allow_unsolicited=True)
        check("unsolicited replay rejected (a peer check)", v.get("verified") is False and v.get("rejected_by") == "peer", v.get("error", ""))

        # --- tampering
        for attack in ATTACKS:
            sign_response = attack in ("xsw1", "xsw2", "wrong_audience", "expired")
            sign_assertion = not sign_response or attack in ("wrong_audience", "expired")
            u = dict(user)
            if attack == "comment_injection":
                u = {"name_id": "admin@x.test.evil.test", "name_id_format": "email", "attributes": {"mail": ["admin@x.test.evil.test"]}}
            req, ans = respond(sign_response=sign_response, sign_assertion=sign_assertion, user=u)
            t = peer.call(op="tamper", SAMLResponse=ans["SAMLResponse"], attack=attack, evil_name_id="admin@x.test")
            if not check(f"tamper {attack}: built", t.get("ok"), t.get("error", "")):
                continue
            if attack.startswith("xsw") or attack == "comment_injection":
                check(f"tamper {attack}: original signature still holds over the original element", t["signature_intact"] is True)
            if attack.startswith("xsw"):
                check(f"tamper {attack}: carries the evil NameID", "admin@x.test<" in t["xml"])
            if attack in XMLSEC1_ACCEPTS:
                # A standard verifier accepts the document: only checking *what* was signed helps.
                check(f"tamper {attack}: xmlsec1 --verify still accepts the document", t["xmlsec1_verifies"] is True)
            v = peer.call(op="sp_verify", SAMLResponse=t["SAMLResponse"])
            if attack == "comment_injection":
                # pysaml2 reads the whole text of the NameID: it accepts, but sees the real user.
                check(
                    "tamper comment_injection: pysaml2 reads the full NameID, not the prefix",
                    (v.get("verified") is True and v["name_id"] == "admin@x.test.evil.test") or v.get("verified") is False,
                    json.dumps(v)[:300],
                )
            else:
                check(
                    f"tamper {attack}: pysaml2 SP rejects",
                    v.get("verified") is False and v.get("rejected_by") == "pysaml2",
                    v.get("error", "") or f"ACCEPTED name_id={v.get('name_id')}",
                )

        _req, ans = respond(sign_assertion=True, encrypt_assertion=True)
        t = peer.call(op="tamper", SAMLResponse=ans["SAMLResponse"], attack="xsw3")
        check("tamper on an encrypted assertion answers an error", t.get("ok") is False, t.get("error", ""))

        # --- AuthnRequest by HTTP-POST (unsigned, and with an enveloped signature by sp.key)
        sp_cert_body = "".join(peer.ready["sp_certificate"].strip().splitlines()[1:-1])
        for sign in (False, True):
            name = "sp_request post" + (" signed" if sign else "")
            r = peer.call(op="sp_request", binding="post", relay_state="state-post", sign_request=sign)
            if not check(name + ": built", r.get("ok"), r.get("error", "")):
                continue
            xml = unb64(r["SAMLRequest"])
            check(
                name + ": form fields",
                r["binding"] == "post"
                and r["action"] == peer.ready["sso_url"]
                and r["RelayState"] == "state-post"
                and "url" not in r
                and f'ID="{r["request_id"]}"' in xml,
                json.dumps(r)[:300],
            )
            root = parse_xml(xml)
            sigs = list(root.iter(q(NS_DS, "Signature")))
            if sign:
                check(
                    name + ": enveloped RSA-SHA256 signature by sp.key",
                    len(sigs) == 1
                    and sigs[0].getparent() is root
                    and SIG_RSA_SHA256 in xml
                    and DIGEST_SHA256 in xml
                    and sp_cert_body in "".join(xml.split()),
                )
            else:
                check(name + ": no signature", not sigs)
            ans = peer.call(
                op="respond", SAMLRequest=r["SAMLRequest"], RelayState=r["RelayState"], action=r["action"], user=user
            )
            check(
                name + ": the IdP parses it",
                ans.get("ok")
                and ans["request"]["binding"] == "post"
                and ans["request"]["signature"] == ("valid" if sign else "absent")
                and ans["request"]["pysaml2_signature_check"] is (True if sign else None)
                and ans["in_response_to"] == r["request_id"]
                and ans["RelayState"] == "state-post",
                json.dumps(ans.get("request", ans))[:300],
            )
            v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"]) if ans.get("ok") else ans
            check(name + ": pysaml2 SP accepts the answer", v.get("verified") is True, v.get("error", ""))
            if sign:
                root.set("ForceAuthn", "true")
                bad = peer.call(op="respond", SAMLRequest=b64(to_xml(root)), user=user)
                check("tampered signed POST AuthnRequest refused", bad.get("ok") is False, bad.get("error", ""))
            else:
                bad = peer.call(op="respond", SAMLRequest=r["SAMLRequest"], user=user, require_signed_request=True)
                check("unsigned POST AuthnRequest refused when a signature is required", bad.get("ok") is False, bad.get("error", ""))
        r = peer.call(op="sp_request", binding="artifact")
        check("sp_request: unknown binding answers an error", r.get("ok") is False, r.get("error", ""))

        # --- single logout, IdP-initiated: the peer's IdP (as ciam's IdP will) asks its SP
        def session() -> dict:
            _req, ans = respond(sign=False, sign_response=True)
            v = peer.call(op="sp_verify", SAMLResponse=ans["SAMLResponse"])
            if not v.get("verified"):
                raise RuntimeError(f"sp_verify failed: {v}")
            return v

        def idp_logout_request(v: dict, **opts) -> dict:
            lo = peer.call(
                op="idp_logout_request",
                name_id=v["name_id"],
                name_id_format=v["name_id_format"],
                session_index=v["session_index"],
                relay_state="lo-state",
                **opts,
            )
            if not lo.get("ok"):
                raise RuntimeError(f"idp_logout_request failed: {lo}")
            return lo

        sha256_param = "SigAlg=" + quote_plus(SIG_RSA_SHA256)
        v = session()
        lo = idp_logout_request(v)
        check(
            "idp_logout_request: signed redirect to the SP's SLO",
            lo["url"].startswith(sp_slo + "?SAMLRequest=") and sha256_param in lo["url"] and "&Signature=" in lo["url"],
            lo["url"][:200],
        )
        s = peer.call(op="sp_logout", url=lo["url"])
        check(
            "sp_logout: verified",
            s.get("verified") is True
            and s["issuer"] == idp_entity
            and s["name_id"] == "ada@x.test"
            and s["name_id_format"] == NAMEID_FORMAT_EMAILADDRESS
            and s["session_indexes"] == [v["session_index"]]
            and s["request_id"] == lo["request_id"]
            and s["destination"] == sp_slo
            and s["relay_state"] == "lo-state"
            and s["signature"] == "valid"
            and s["sig_alg"] == SIG_RSA_SHA256
            and s["pysaml2_signature_check"] is True
            and s["known_session"] is True,
            json.dumps(s)[:400],
        )
        url = s.get("logout_response_url") or ""
        check(
            "sp_logout: LogoutResponse signed (RSA-SHA256) by redirect to the IdP's SLO, RelayState echoed",
            url.startswith(idp_slo + "?SAMLResponse=") and sha256_param in url and "&Signature=" in url and "RelayState=lo-state" in url,
            url[:200],
        )
        r = peer.call(op="idp_logout_response", url=url)
        check(
            "idp_logout_response: the IdP accepts the SP's answer",
            r.get("verified") is True
            and r["success"] is True
            and r["status"] == STATUS_SUCCESS
            and r["in_response_to"] == lo["request_id"]
            and r["issuer"] == sp_entity
            and r["destination"] == idp_slo
            and r["signature"] == "valid",
            json.dumps(r)[:400],
        )
        again = peer.call(op="sp_logout", url=lo["url"])
        replay_rejected = again.get("verified") is False and again.get("rejected_by") == "peer"
        check("sp_logout: replayed LogoutRequest rejected", replay_rejected, again.get("error", ""))
        again = peer.call(op="idp_logout_response", url=url)
        check("idp_logout_response: a second answer rejected", again.get("verified") is False, again.get("error", ""))
        s = peer.call(op="sp_logout", url=idp_logout_request(v)["url"])
        gone = s.get("verified") is True and s["known_session"] is False
        check("sp_logout: a logged-out session is no longer known", gone, json.dumps(s)[:300])

        v = session()
        signed_url = idp_logout_request(v)["url"]
        negatives = {
            "unsigned": idp_logout_request(v, sign=False)["url"],
            "signature stripped": signed_url.split("&SigAlg=")[0],
            "RelayState changed": signed_url.replace("RelayState=lo-state", "RelayState=lo-statf"),
            "signed by an untrusted key": idp_logout_request(v, signing_key="attacker")["url"],
            "Destination elsewhere": idp_logout_request(v, destination="https://elsewhere.test/slo")["url"],
            "expired": idp_logout_request(v, lifetime_seconds=-120)["url"],
            "sent to another URL": signed_url.replace(sp_slo, sp_slo + "2"),
        }
        for name, bad_url in negatives.items():
            s = peer.call(op="sp_logout", url=bad_url)
            check(f"sp_logout: {name} rejected", s.get("ok") is False and s.get("verified") is False, s.get("error", ""))
        s = peer.call(op="sp_logout", url=resign_lowercase(idp_logout_request(v, sign=False)["url"]))
        check(
            "sp_logout: a query encoded another way (lower-case %xx) is verified as sent",
            s.get("verified") is True and s["signature"] == "valid" and s["pysaml2_signature_check"] is False,
            s.get("error", "") or json.dumps(s)[:300],
        )
        s = peer.call(op="sp_logout", url=negatives["unsigned"], require_signature=False)
        accepted = s.get("verified") is True and s["signature"] == "absent"
        check("sp_logout: unsigned accepted with require_signature false", accepted, s.get("error", ""))

        # A LogoutResponse that is not Success, unsigned, or tampered with.
        s = peer.call(op="sp_logout", url=idp_logout_request(v)["url"], status="partial_logout", status_message="not all")
        r = peer.call(op="idp_logout_response", url=s["logout_response_url"])
        check(
            "partial_logout: reported, not refused",
            r.get("verified") is True
            and r["success"] is False
            and r["status"] == STATUS_RESPONDER
            and r["sub_status"] == STATUS_PARTIAL_LOGOUT
            and r["status_message"] == "not all",
            json.dumps(r)[:300],
        )
        s = peer.call(op="sp_logout", url=idp_logout_request(v)["url"], sign_response=False)
        r = peer.call(op="idp_logout_response", url=s["logout_response_url"])
        check("unsigned LogoutResponse rejected", r.get("verified") is False and "not signed" in r.get("error", ""), r.get("error", ""))
        r = peer.call(op="idp_logout_response", url=s["logout_response_url"], require_signature=False)
        accepted = r.get("verified") is True and r["signature"] == "absent"
        check("unsigned LogoutResponse accepted with require_signature false", accepted, r.get("error", ""))
        s = peer.call(op="sp_logout", url=idp_logout_request(v)["url"])
        r = peer.call(op="idp_logout_response", url=s["logout_response_url"].replace("RelayState=lo-state", "RelayState=lo-statf"))
        check("tampered LogoutResponse rejected", r.get("verified") is False, r.get("error", ""))

        # --- single logout, SP-initiated: the peer's SP (as toward ciam's IdP) asks its IdP
        lo = peer.call(
            op="sp_logout_request", name_id="ada@x.test", name_id_format="email", session_index="sess-1", relay_state="sp-lo"
        )
        check(
            "sp_logout_request: signed redirect to the IdP's SLO",
            lo.get("ok") and lo["url"].startswith(idp_slo + "?SAMLRequest=") and sha256_param in lo["url"] and lo["idp_entity_id"] == idp_entity,
            json.dumps(lo)[:300],
        )
        i = peer.call(op="idp_logout", url=lo.get("url", ""))
        check(
            "idp_logout: the IdP verifies it",
            i.get("verified") is True
            and i["issuer"] == sp_entity
            and i["name_id"] == "ada@x.test"
            and i["session_indexes"] == ["sess-1"]
            and i["known_session"] is None
            and i["pysaml2_signature_check"] is True
            and i["logout_response_url"].startswith(sp_slo + "?SAMLResponse="),
            json.dumps(i)[:300],
        )
        r = peer.call(op="sp_logout_response", url=i.get("logout_response_url", ""))
        check(
            "sp_logout_response: the SP accepts the IdP's answer",
            r.get("verified") is True
            and r["success"] is True
            and r["in_response_to"] == lo.get("request_id")
            and r["issuer"] == idp_entity
            and r["relay_state"] == "sp-lo",
            json.dumps(r)[:300],
        )
        e = peer.call(op="sp_logout")
        check("sp_logout without url answers an error", e.get("ok") is False and "verified" not in e, e.get("error", ""))

        # --- protocol errors answer, never crash the peer
        e = peer.call(op="nope", id=7)
        check("unknown op answers an error with the id", e.get("ok") is False and e.get("id") == 7)
        e = peer.call(op="respond", authn_request_url="https://idp.test/sso?x=1", user=user)
        check("respond without SAMLRequest answers an error", e.get("ok") is False)
        check("still alive", peer.call(op="ping").get("ok") is True)
    finally:
        peer.close()

    passed = sum(1 for _n, ok, _d in results if ok)
    failed = len(results) - passed
    print(f"saml peer self-test: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


def main() -> int:
    level = logging.DEBUG if os.environ.get("SAML_PEER_DEBUG") else logging.ERROR
    logging.basicConfig(stream=sys.stderr, level=level, format="[pysaml2] %(levelname)s %(name)s: %(message)s")
    if "--self-test" in sys.argv[1:]:
        return self_test()
    return serve()


if __name__ == "__main__":
    sys.exit(main())
