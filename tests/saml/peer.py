#!/usr/bin/env python3
"""An independent SAML 2.0 peer for ciam's end-to-end tests, built on pysaml2 and xmlsec1.

It plays the enterprise identity provider (IdP) in front of ciam's service provider, and, for the
reverse direction, a service provider (SP) in front of ciam's IdP. One process serves one test:
the test writes one JSON object per line on stdin and reads one JSON answer per line on stdout.
Diagnostics go to stderr. The protocol is described in README.md beside this file.

    python peer.py               # the JSON-lines peer
    python peer.py --self-test   # pysaml2 against itself through that protocol; exit 1 on failure

Environment: SAML_IDP_ENTITY_ID (default https://idp.test/saml), SAML_IDP_SSO_URL (default
https://idp.test/sso), XMLSEC1 (path of the xmlsec1 binary, default: found on PATH),
SAML_PEER_DEBUG=1 (pysaml2's debug log on stderr).

The key material under keys/ is test-only, committed on purpose, and must never be trusted
anywhere else.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import traceback
import warnings
import zlib
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

warnings.filterwarnings("ignore", message=".*has been moved to cryptography.hazmat.decrepit.*")

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.assertion import Policy
from saml2.attribute_converter import AttributeConverter
from saml2.attributemaps import saml_uri
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.client import Saml2Client
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import create_metadata_string
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
from saml2.server import Server
from saml2.sigver import get_pem_wrapped_unwrapped, make_temp, pre_encryption_part
from saml2.time_util import in_a_while
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
    """sp_verify: a check the peer makes on top of pysaml2's (replay, Web SSO profile)."""


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


def idp_config(entity_id: str, sso_url: str, key: Path, cert: Path, xmlsec: str) -> IdPConfig:
    conf = {
        "entityid": entity_id,
        "description": "ciam test IdP peer (pysaml2)",
        "service": {
            "idp": {
                "name": "ciam test IdP peer",
                "endpoints": {
                    "single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT), (sso_url, BINDING_HTTP_POST)],
                },
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
    entity_id: str, acs: str, idp_metadata: list[str], sign_requests: bool, xmlsec: str
) -> SPConfig:
    conf = {
        "entityid": entity_id,
        "description": "ciam test SP peer (pysaml2)",
        "service": {
            "sp": {
                "name": "ciam test SP peer",
                "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
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


class Peer:
    def __init__(self):
        self.xmlsec = find_xmlsec1()
        self.idp_entity_id = os.environ.get("SAML_IDP_ENTITY_ID", "https://idp.test/saml")
        self.sso_url = os.environ.get("SAML_IDP_SSO_URL", "https://idp.test/sso")
        self.idp_cert_pem = (KEYS / "idp.crt").read_bytes()
        self.idp = PeerServer(
            config=idp_config(self.idp_entity_id, self.sso_url, KEYS / "idp.key", KEYS / "idp.crt", self.xmlsec)
        )
        # Same entity ID, an untrusted key: for "signed by someone else" tests.
        self.attacker = PeerServer(
            config=idp_config(
                self.idp_entity_id, self.sso_url, KEYS / "attacker.key", KEYS / "attacker.crt", self.xmlsec
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

    def ready(self) -> dict:
        return {
            "ready": True,
            "ok": True,
            "idp_metadata": self.idp_metadata,
            "entity_id": self.idp_entity_id,
            "sso_url": self.sso_url,
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
                }
            )
        return {"entities": entities}

    # ---- IdP: answers

    def op_respond(self, req: dict) -> dict:
        url = req.get("authn_request_url")
        if not url:
            raise PeerError("respond needs authn_request_url")
        raw, params, base = split_query(url)
        if "SAMLRequest" not in params:
            raise PeerError("the URL carries no SAMLRequest")
        relay_state = params.get("RelayState")
        sig_alg, signature = params.get("SigAlg"), params.get("Signature")
        request_xml = inflate_redirect(params["SAMLRequest"])
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
        if signature is not None or sig_alg is not None:
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
        # if signed, the redirect signature once more (it re-encodes the query to check it).
        self.idp.config.setattr("idp", "want_authn_requests_signed", request_signature == "valid")
        try:
            parsed = self.idp.parse_authn_request(
                params["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=relay_state, sigalg=sig_alg, signature=signature
            )
            pysaml2_redirect_check = request_signature == "valid" or None
        except Exception as exc:  # noqa: BLE001
            if request_signature != "valid":
                raise PeerError(f"pysaml2 rejects the AuthnRequest: {error_text(exc)}") from exc
            # The spec check above passed; pysaml2 only rebuilds the signed string its own way.
            self.idp.config.setattr("idp", "want_authn_requests_signed", False)
            try:
                parsed = self.idp.parse_authn_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
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
        entity_id = req.get("entity_id") or self.sp_settings.get("entity_id")
        acs = req.get("acs") or self.sp_settings.get("acs")
        if not entity_id or not acs:
            raise PeerError("the SP side needs entity_id and acs")
        idp_md = req.get("idp_metadata")
        idp_mds = [idp_md] if idp_md else self.sp_settings.get("idp_metadata", [])
        sign = req.get("sign_request")
        sign = bool(sign) if sign is not None else self.sp_settings.get("sign_requests", False)
        wanted = {"entity_id": entity_id, "acs": acs, "idp_metadata": idp_mds, "sign_requests": sign}
        if self.sp is not None and wanted == self.sp_settings:
            return
        if self.sp_settings.get("entity_id") != entity_id:
            self.sp_outstanding.clear()
            self.sp_seen_assertions.clear()
        self.sp = Saml2Client(config=sp_config(entity_id, acs, idp_mds, sign, self.xmlsec))
        self.sp_settings = wanted

    def op_sp_describe(self, req: dict) -> dict:
        self.configure_sp(req)
        return {
            "sp_metadata": metadata_text(self.sp.config),
            "entity_id": self.sp_settings["entity_id"],
            "acs": self.sp_settings["acs"],
            "certificate": (KEYS / "sp.crt").read_text(),
        }

    def op_sp_request(self, req: dict) -> dict:
        self.configure_sp(req)
        if not self.sp_settings["idp_metadata"]:
            raise PeerError("sp_request needs idp_metadata (ciam's IdP metadata)")
        idps = self.sp.metadata.identity_providers()
        idp_entity_id = req.get("idp_entity_id") or (idps[0] if len(idps) == 1 else None)
        if not idp_entity_id:
            raise PeerError(f"several IdPs in the metadata, name one with idp_entity_id: {idps}")
        kwargs = {}
        if req.get("force_authn"):
            kwargs["force_authn"] = "true"
        if req.get("is_passive"):
            kwargs["is_passive"] = "true"
        if req.get("requested_authn_context"):
            kwargs["requested_authn_context"] = {"authn_context_class_ref": req["requested_authn_context"]}
        fmt = req.get("name_id_format")
        sig_alg = SIG_ALGS.get(req.get("sig_alg", "rsa-sha256"))
        relay_state = req.get("relay_state", "")
        req_id, info = self.sp.prepare_for_authenticate(
            entityid=idp_entity_id,
            relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            nameid_format=NAME_ID_FORMATS.get(fmt, fmt) if fmt else None,
            sign=self.sp_settings["sign_requests"],
            sigalg=sig_alg if self.sp_settings["sign_requests"] else None,
            **kwargs,
        )
        url = dict(info["headers"])["Location"]
        self.sp_outstanding[req_id] = url
        return {
            "url": url,
            "request_id": req_id,
            "relay_state": relay_state,
            "idp_entity_id": idp_entity_id,
            "sp_metadata": metadata_text(self.sp.config),
        }

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
            text = error_text(exc)
            if len(text) > 2000:
                text = text[:2000] + " [...]"
            log(f"sp_verify rejected: {text[:300]}")
            by = "peer" if isinstance(exc, PeerCheckError) else "pysaml2"
            return {"ok": False, "verified": False, "rejected_by": by, "error": text}
        finally:
            saml_logger.removeHandler(errors)
        self.sp_seen_assertions.add(assertion.id)
        if resp.in_response_to:
            self.sp_outstanding.pop(resp.in_response_to, None)
        name_id = resp.name_id
        raw_attributes: dict[str, list[str]] = {}
        for statement in assertion.attribute_statement:
            for attr in statement.attribute:
                raw_attributes.setdefault(attr.name, []).extend(v.text or "" for v in attr.attribute_value)
        conditions = assertion.conditions
        authn = assertion.authn_statement[0] if assertion.authn_statement else None
        return {
            "verified": True,
            "name_id": name_id.text if name_id is not None else None,
            "name_id_format": name_id.format if name_id is not None else None,
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
        sp_entity = "https://sp.test/saml/selftest"
        sp_acs = "https://sp.test/saml/selftest/acs"

        # The peer's SP side describes itself; its IdP side loads that metadata.
        d = peer.call(op="sp_describe", entity_id=sp_entity, acs=sp_acs)
        check("sp_describe", d.get("ok") and "SPSSODescriptor" in d.get("sp_metadata", ""), d.get("error", ""))
        m = peer.call(op="sp_metadata", xml=d["sp_metadata"])
        check(
            "sp_metadata",
            m.get("ok") and m["entities"][0]["acs"][0]["location"] == sp_acs and m["entities"][0]["encryption_certificates"] >= 1,
            json.dumps(m)[:300],
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
            ans.get("ok") and ans["request"]["signature"] == "valid" and ans["request"]["pysaml2_signature_check"] is True,
            json.dumps(ans.get("request", ans))[:300],
        )
        bad_url = req["url"].replace("RelayState=state-123", "RelayState=state-124")
        bad = peer.call(op="respond", authn_request_url=bad_url, user=user)
        check("tampered signed AuthnRequest refused", bad.get("ok") is False, bad.get("error", ""))

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
