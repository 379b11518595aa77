"""Federation identities: a root CA issues X.509 certificates that carry each
organisation's role and region code; a trust bundle verifies them offline.

Keys are ECDSA P-256 by default (as in Hyperledger Fabric MSPs, and faster to
verify than Ed25519 with ``cryptography``); Ed25519 is accepted everywhere.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from ipfed.ledger.canonical import canonical_bytes
from ipfed.ledger.errors import LedgerError

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
Algorithm = Literal["ecdsa-p256", "ed25519"]

# An OID under the UUID arc (ITU-T X.667): unique without registration.
ORGANISATION_OID = x509.ObjectIdentifier("2.25.159485898325392790280670055423606121341.1")


class Role(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"
    PLATFORM = "platform"
    FAIR = "fair"
    RIGHTS_HOLDER = "rights_holder"
    ENFORCEMENT = "enforcement"
    ASSISTANCE_CENTRE = "assistance_centre"
    OVERSEAS_CENTRE = "overseas_centre"  # overseas IP dispute response, national or a sub-centre


OFFICES = frozenset(
    {Role.NATIONAL, Role.REGIONAL}
)  # the IP offices: they issue marks, review leads


class UntrustedIdentity(LedgerError):
    """A certificate or signature the federation's trust bundle does not vouch for."""

    code = "untrusted_identity"


class BadSignature(UntrustedIdentity):
    code = "bad_signature"


@dataclass(frozen=True)
class Organisation:
    name: str
    role: Role
    region_code: str


def generate_key(algorithm: Algorithm = "ecdsa-p256") -> PrivateKey:
    if algorithm == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def sign(key: PrivateKey, message: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    return key.sign(message, ec.ECDSA(hashes.SHA256()))


def verify_signature(key: PublicKey, message: bytes, signature: bytes) -> None:
    """Raise :class:`BadSignature` unless ``signature`` is ``key``'s over ``message``."""
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        else:
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BadSignature("the signature does not match the message and key") from None


def _cert_hash(key: PrivateKey) -> hashes.SHA256 | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def organisation_of(certificate: x509.Certificate) -> Organisation:
    try:
        extension = certificate.extensions.get_extension_for_oid(ORGANISATION_OID)
        value = extension.value
        assert isinstance(value, x509.UnrecognizedExtension)
        fields = json.loads(value.value)
        return Organisation(fields["name"], Role(fields["role"]), fields["region_code"])
    except (x509.ExtensionNotFound, AssertionError, ValueError, KeyError, TypeError):
        raise UntrustedIdentity(
            "the certificate carries no ipfed organisation", code="not_an_organisation"
        ) from None


def node_url_of(certificate: x509.Certificate) -> str | None:
    """The node URL the certificate names (its subjectAltName URI), if any."""
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return None
    uris = names.value.get_values_for_type(x509.UniformResourceIdentifier)
    return uris[0] if uris else None


class CertificateAuthority:
    """The federation root, held by the national node."""

    def __init__(self, certificate: x509.Certificate, key: PrivateKey) -> None:
        self.certificate = certificate
        self.key = key

    @classmethod
    def create(
        cls, name: str = "ipfed federation root", algorithm: Algorithm = "ecdsa-p256"
    ) -> "CertificateAuthority":
        key = generate_key(algorithm)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, _cert_hash(key))
        )
        return cls(certificate, key)

    def issue(
        self,
        organisation: Organisation,
        public_key: PublicKey,
        valid_days: int = 825,
        node_url: str | None = None,
    ) -> x509.Certificate:
        """``node_url``: the organisation's node, where it publishes its status lists;
        signed into the certificate so that no scanned URL can name another host."""
        now = datetime.now(UTC)
        attributes = canonical_bytes(
            {
                "name": organisation.name,
                "role": organisation.role.value,
                "region_code": organisation.region_code,
            }
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.name),
                        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organisation.role),
                        x509.NameAttribute(NameOID.COMMON_NAME, organisation.name),
                    ]
                )
            )
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.UnrecognizedExtension(ORGANISATION_OID, attributes), critical=False)
        )
        if node_url is not None:
            uri = x509.UniformResourceIdentifier(node_url.rstrip("/"))
            builder = builder.add_extension(x509.SubjectAlternativeName([uri]), critical=False)
        return builder.sign(self.key, _cert_hash(self.key))

    def revocation_list(self, revoked: dict[int, datetime]) -> x509.CertificateRevocationList:
        """A CRL naming the revoked serial numbers (serial -> revocation time)."""
        now = datetime.now(UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(now)
            .next_update(now + timedelta(days=7))
        )
        for serial, when in sorted(revoked.items()):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
            )
        return builder.sign(self.key, _cert_hash(self.key))
