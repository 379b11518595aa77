"""Signed status lists in the manner of the W3C Bitstring Status List v1.0.

Each office publishes one list per purpose (revocation, suspension): a GZIP-
compressed bitstring, multibase base64url encoded, where bit ``i`` (counted from
the most significant bit of the first byte) is set when the mark holding status
index ``i`` has that status. Indexes are drawn at random, and the list is at
least 16 KiB (131,072 entries), so that fetching it reveals nothing about the mark
being checked. The office signs the document; ``valid_until`` is its time-to-live.
A mark that expired because its right lapsed is terminal, like a revoked one: it
sets its revocation bit.
"""

import base64
import binascii
import gzip
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ipfed.ledger.canonical import Base64Bytes, canonical_bytes
from ipfed.ledger.identity import PrivateKey, sign
from ipfed.registry.errors import StatusUnavailable

MIN_ENTRIES = 131_072  # W3C: at least 16 KB, for group privacy


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class StatusListDocument(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    type: Literal["BitstringStatusList"] = "BitstringStatusList"
    issuer: str = Field(pattern=r"^[0-9a-f]{64}$", description="the office's key id")
    status_purpose: StatusPurpose = Field(alias="statusPurpose")
    encoded_list: str = Field(alias="encodedList", max_length=4_000_000)
    valid_from: AwareDatetime = Field(alias="validFrom")
    valid_until: AwareDatetime = Field(alias="validUntil")
    signature: Base64Bytes = b""

    def signed_bytes(self) -> bytes:
        return canonical_bytes(self.model_dump(mode="json", by_alias=True, exclude={"signature"}))


def capacity(used: int) -> int:
    """Entries in a list holding ``used`` indexes: at most half full, a power of two."""
    size = MIN_ENTRIES
    while used * 2 > size:
        size *= 2
    return size


def encode_bits(indexes: Iterable[int], size: int) -> str:
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index >> 3] |= 0x80 >> (index & 7)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise StatusUnavailable("the status list is not multibase base64url")
    text = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (OSError, EOFError, ValueError, binascii.Error):
        raise StatusUnavailable("the status list does not decode") from None


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusUnavailable(f"status index {index} is outside the list")
    return bool(bits[index >> 3] & (0x80 >> (index & 7)))


def sign_status_list(
    *,
    purpose: StatusPurpose,
    indexes: Iterable[int],
    size: int,
    issuer: str,
    key: PrivateKey,
    valid_from: datetime,
    valid_until: datetime,
) -> StatusListDocument:
    unsigned = StatusListDocument(
        issuer=issuer,
        status_purpose=purpose,
        encoded_list=encode_bits(indexes, size),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return unsigned.model_copy(update={"signature": sign(key, unsigned.signed_bytes())})
