"""The one byte form of anything signed or hashed: sorted-key compact JSON in UTF-8.

Floats are refused (their text form differs between languages; amounts travel
as decimal strings) and so are integers beyond ±2**53, which JavaScript
verifiers cannot hold exactly. Pydantic models are encoded as their JSON dump.
"""

import base64
import binascii
import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, PlainSerializer

from ipfed.ledger.errors import MalformedData

MAX_SAFE_INTEGER = 2**53 - 1


def _check(value: Any, where: str = "$") -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise MalformedData(f"{where}: integer beyond ±2**53", code="not_canonical")
        return
    if isinstance(value, float):
        raise MalformedData(f"{where}: floats have no canonical form", code="not_canonical")
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise MalformedData(f"{where}: object keys are strings", code="not_canonical")
            _check(item, f"{where}.{key}")
        return
    raise MalformedData(f"{where}: {type(value).__name__} is not JSON", code="not_canonical")


def check_canonical(value: Any) -> None:
    """Raise :class:`MalformedData` unless ``value`` has a canonical form."""
    _check(value)


def canonical_bytes(value: Any) -> bytes:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    _check(value)
    return encode_checked(value)


def encode_checked(value: Any) -> bytes:
    """The canonical bytes of a value already checked (see :func:`check_canonical`)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedData("a string holds an unpaired surrogate", code="not_canonical") from None


def parse_canonical(data: bytes) -> Any:
    """The value of canonical bytes; any other encoding of it is refused."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedData(f"not JSON: {exc}", code="not_canonical") from None
    if canonical_bytes(value) != data:
        raise MalformedData("valid JSON, but not in canonical form", code="not_canonical")
    return value


def _from_base64(value: object) -> bytes:
    if isinstance(value, bytes):
        return value  # built in code, not read from text
    if not isinstance(value, str):
        raise ValueError("byte strings are written in base64")
    try:
        return base64.b64decode(value, validate=True)  # no silently skipped characters
    except binascii.Error as exc:
        raise ValueError(f"invalid base64: {exc}") from None


# Bytes in JSON: standard base64 (RFC 4648), strictly decoded.
Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_from_base64),
    PlainSerializer(lambda b: base64.b64encode(b).decode(), return_type=str),
]
