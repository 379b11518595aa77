"""The mark credential: a COSE_Sign1 (RFC 9052) over CBOR claims, small enough for a QR code.

A token is the base64url form (no padding) of the COSE_Sign1 structure. Claim
keys are small integers, as in a CWT (RFC 8392): the standard ``sub``, ``nbf``
and ``exp``, and private (negative) keys for the mark's facts. The protected
header names the algorithm and the first 8 bytes of the issuer's key id, which
the trust bundle resolves to the office's certificate.

A unit code is the same credential with a unit serial and a batch number: it
verifies on its own and carries its mark's status index.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ipfed.ledger.identity import PrivateKey, sign
from ipfed.registry.errors import MalformedToken

KID_BYTES = 8  # key id prefix: enough to tell a federation's offices apart
ES256, EDDSA = -7, -8  # COSE algorithm ids
_ALG, _KID = 1, 4  # COSE header labels
# CWT claim keys: standard ones, then ours (negative: private use).
_SUB, _EXP, _NBF = 2, 4, 5
_RIGHT, _HOLDER, _LICENSEE, _NICE, _LOCARNO, _STATUS, _UNIT, _BATCH = range(-1, -9, -1)


class RightType(StrEnum):
    PATENT = "P"
    TRADEMARK = "T"
    GEOGRAPHICAL_INDICATION = "G"


@dataclass(frozen=True)
class Claims:
    """What an office asserts about a mark, or one unit under it."""

    mark_id: str  # ULID
    right_type: RightType
    right_number: str
    holder: str  # unified social credit code
    valid_from: date
    valid_until: date
    status_index: int
    licensee: str | None = None  # USCC; the mark covers only this licensee's goods
    nice_classes: frozenset[int] = frozenset()  # empty: every class of the right
    locarno_class: str | None = None
    unit_serial: str | None = None  # base32, set for a unit code
    batch: str | None = None

    @property
    def is_unit(self) -> bool:
        return self.unit_serial is not None


@dataclass(frozen=True)
class SignedToken:
    """A parsed, not yet verified, token."""

    claims: Claims
    algorithm: int
    kid: bytes
    signed_bytes: bytes  # the COSE Sig_structure
    signature: bytes  # DER for ECDSA, raw for Ed25519, as ``cryptography`` verifies


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _days(day: date) -> int:
    return day.toordinal() - date(1970, 1, 1).toordinal()


def _from_days(days: int) -> date:
    return date.fromordinal(days + date(1970, 1, 1).toordinal())


def _mask(classes: frozenset[int]) -> int:
    return sum(1 << c for c in classes)


def _encode_claims(claims: Claims) -> bytes:
    body: dict[int, Any] = {
        _SUB: claims.mark_id,
        _NBF: _days(claims.valid_from),
        _EXP: _days(claims.valid_until),
        _RIGHT: f"{claims.right_type}{claims.right_number}",
        _HOLDER: claims.holder,
        _STATUS: claims.status_index,
    }
    optional: dict[int, Any] = {
        _LICENSEE: claims.licensee,
        _NICE: _mask(claims.nice_classes) or None,
        _LOCARNO: claims.locarno_class,
        _UNIT: claims.unit_serial,
        _BATCH: claims.batch,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    return cbor2.dumps(body)


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def issue_token(claims: Claims, key: PrivateKey, key_id: str) -> str:
    """The signed token of ``claims`` by the office with ``key`` (``key_id``: hex)."""
    algorithm = EDDSA if isinstance(key, ed25519.Ed25519PrivateKey) else ES256
    protected = cbor2.dumps({_ALG: algorithm, _KID: bytes.fromhex(key_id)[:KID_BYTES]})
    payload = _encode_claims(claims)
    signature = sign(key, _sig_structure(protected, payload))
    if algorithm == ES256:  # COSE carries r || s, 32 bytes each
        r, s = decode_dss_signature(signature)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return _b64(cbor2.dumps([protected, {}, payload, signature]))


def _claim(body: dict[int, Any], key: int, kind: type, optional: bool = False) -> Any:
    value = body.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise MalformedToken(f"claim {key} is missing or not a {kind.__name__}")
    return value


def parse_token(token: str) -> SignedToken:
    """Decode a token's structure; raises :class:`MalformedToken`, never anything else."""
    try:
        protected, _, payload, signature = cbor2.loads(_unb64(token.strip()))
        header = cbor2.loads(protected)
        body = cbor2.loads(payload)
    except (ValueError, TypeError, binascii.Error, cbor2.CBORDecodeError, EOFError):
        raise MalformedToken("not an ipfed mark token") from None
    if not isinstance(header, dict) or not isinstance(body, dict):
        raise MalformedToken("not an ipfed mark token")
    algorithm = header.get(_ALG)
    kid = header.get(_KID)
    if algorithm not in (ES256, EDDSA) or not isinstance(kid, bytes) or len(kid) != KID_BYTES:
        raise MalformedToken("unsupported algorithm or key id")
    if not isinstance(signature, bytes) or len(signature) != 64:
        raise MalformedToken("the signature has the wrong size")
    if algorithm == ES256:
        signature = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
    right = _claim(body, _RIGHT, str)
    try:
        right_type = RightType(right[:1])
        nice = _claim(body, _NICE, int, optional=True) or 0
        claims = Claims(
            mark_id=_claim(body, _SUB, str),
            right_type=right_type,
            right_number=right[1:],
            holder=_claim(body, _HOLDER, str),
            valid_from=_from_days(_claim(body, _NBF, int)),
            valid_until=_from_days(_claim(body, _EXP, int)),
            status_index=_claim(body, _STATUS, int),
            licensee=_claim(body, _LICENSEE, str, optional=True),
            nice_classes=frozenset(c for c in range(1, 46) if nice >> c & 1),
            locarno_class=_claim(body, _LOCARNO, str, optional=True),
            unit_serial=_claim(body, _UNIT, str, optional=True),
            batch=_claim(body, _BATCH, str, optional=True),
        )
    except (ValueError, OverflowError):
        raise MalformedToken("a claim is out of range") from None
    return SignedToken(claims, algorithm, kid, _sig_structure(protected, payload), signature)
