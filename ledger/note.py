"""C2SP signed notes: text, a blank line, then `— <key name> <base64(key id || sig)>` lines.

Signers are organisations of the federation. A key's note name is
``ipfed/<first 16 hex digits of its key id>`` (see :func:`ipfed.ledger.trust.key_id`),
so a verifier finds the certificate in the trust bundle from the name alone.
Key IDs follow the signed-note recommendation:
SHA-256(name || 0x0A || signature type || public key)[:4], with type 0x01
(Ed25519, raw key) or 0x02 (ECDSA P-256, DER SubjectPublicKeyInfo).
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from ipfed.ledger.errors import MalformedData
from ipfed.ledger.identity import (
    Organisation,
    PrivateKey,
    PublicKey,
    UntrustedIdentity,
    sign,
    verify_signature,
)
from ipfed.ledger.trust import TrustBundle, key_id

DASH = "\u2014 "
MAX_SIGNATURES = 100


def note_name(certificate: x509.Certificate) -> str:
    return f"ipfed/{key_id(certificate)[:16]}"


def note_key_id(name: str, public_key: PublicKey) -> bytes:
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        kind, raw = b"\x01", public_key.public_bytes_raw()
    else:
        kind = b"\x02"
        raw = public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return hashlib.sha256(name.encode() + b"\n" + kind + raw).digest()[:4]


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{DASH}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True)
class SignedNote:
    text: str  # ends with a newline
    signatures: tuple[NoteSignature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    @classmethod
    def parse(cls, data: str | bytes) -> "SignedNote":
        try:
            note = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise MalformedData("a note is UTF-8 text") from None
        if any(c < " " and c != "\n" for c in note):
            raise MalformedData("a note holds no control characters but newlines")
        text, blank, lines = note.rpartition("\n\n")
        if not blank or not lines.endswith("\n"):
            raise MalformedData("a note is text, a blank line and signature lines")
        signatures = tuple(_parse_line(line) for line in lines[:-1].split("\n"))
        if len(signatures) > MAX_SIGNATURES:
            raise MalformedData("too many signatures")
        return cls(text + "\n", signatures)

    def merged(self, other: "SignedNote") -> "SignedNote":
        """This note with the signatures ``other`` adds (a witness's cosignature);
        a key that has signed already keeps its first signature."""
        if other.text != self.text:
            raise MalformedData("only notes of the same text can be merged")
        keys = {(s.name, s.key_id) for s in self.signatures}
        extra = tuple(s for s in other.signatures if (s.name, s.key_id) not in keys)
        return SignedNote(self.text, self.signatures + extra)

    def signed_by(self, key: PrivateKey, certificate: x509.Certificate) -> "SignedNote":
        """The note with one more signature, by the organisation holding ``key``."""
        name = note_name(certificate)
        signature = NoteSignature(
            name, note_key_id(name, key.public_key()), sign(key, self.text.encode())
        )
        return SignedNote(self.text, (*self.signatures, signature))

    def verify(self, bundle: TrustBundle) -> list[Organisation]:
        """Organisations whose signatures verify; raises if any known key's signature fails.

        Signatures by keys the bundle does not know are ignored, as the spec asks.
        """
        signers = []
        for signature in self.signatures:
            certificate = next(
                (c for k, c in bundle.by_key_id.items() if signature.name == f"ipfed/{k[:16]}"),
                None,
            )
            if certificate is None:
                continue
            public_key: PublicKey = certificate.public_key()  # type: ignore[assignment]
            if note_key_id(signature.name, public_key) != signature.key_id:
                continue
            organisation = bundle.organisation(certificate)
            verify_signature(public_key, self.text.encode(), signature.signature)
            signers.append(organisation)
        if not signers:
            raise UntrustedIdentity("no signature by a key of the federation", code="unsigned_note")
        return signers


def _parse_line(line: str) -> NoteSignature:
    if not line.startswith(DASH):
        raise MalformedData(f"not a signature line: {line[:40]!r}")
    name, _, encoded = line[len(DASH) :].rpartition(" ")
    if not name or " " in name or "+" in name:
        raise MalformedData(f"bad key name {name!r}")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise MalformedData("a signature is base64") from None
    if len(raw) < 5:
        raise MalformedData("a signature is a key id and signature bytes")
    return NoteSignature(name, raw[:4], raw[4:])
