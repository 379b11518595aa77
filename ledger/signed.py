"""What every signed wire format shares: a major.minor format version, and a
signature by an organisation's key over the canonical bytes of every other field.

Version 1.0 is the format from before versions: it is written by omission, so
that entries already on a ledger hash as they always did and nodes that do not
know versions still read what newer nodes send in it. A reader takes every
minor version of the majors it knows; a newer minor only adds fields, which it
keeps (they are signed) but does not read. A major version it does not know is
refused with :class:`~ipfed.ledger.errors.UnsupportedVersion`.
"""

import re
from abc import abstractmethod
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from ipfed.ledger.canonical import Base64Bytes, check_canonical, encode_checked
from ipfed.ledger.errors import MalformedData, UnsupportedVersion
from ipfed.ledger.identity import Organisation, PrivateKey, sign
from ipfed.ledger.trust import TrustBundle

VERSION_PATTERN = r"^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$"
FIRST_VERSION = "1.0"


class FormatVersion(NamedTuple):
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> "FormatVersion":
        major, _, minor = text.partition(".")
        return cls(int(major), int(minor))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


class VersionedModel(BaseModel):
    """A wire format that says which version of itself it is, in ``v``."""

    model_config = ConfigDict(frozen=True, extra="allow")  # extras: see _known_fields

    FORMAT: ClassVar[FormatVersion] = FormatVersion(1, 0)
    """The newest version of this format that this code reads. New objects are 1.0
    (``v``'s default) until a format moves on; then the code making them passes ``v``."""

    v: str = Field(default=FIRST_VERSION, pattern=VERSION_PATTERN)

    @model_validator(mode="before")
    @classmethod
    def _readable(cls, data: Any) -> Any:
        # Raised as is, not as a validation error, so that a receiver can tell
        # "newer than I read" from "malformed" and say so.
        text = data.get("v") if isinstance(data, dict) else None
        if isinstance(text, str) and re.fullmatch(VERSION_PATTERN, text):
            major, reads = FormatVersion.parse(text).major, cls.FORMAT.major
            if major > reads:
                raise UnsupportedVersion(
                    f"{cls.__name__} format {text} is newer than this node reads "
                    f"({reads}.x): the node must be upgraded to read it"
                )
            if major < reads:
                raise UnsupportedVersion(
                    f"{cls.__name__} format {text} is no longer read ({reads}.x)"
                )
        return data

    @model_validator(mode="after")
    def _known_fields(self) -> Self:
        if self.model_extra:
            if self.format_version <= self.FORMAT:
                unknown = ", ".join(sorted(self.model_extra))
                raise ValueError(f"{unknown}: not a field of {type(self).__name__} {self.v}")
            try:
                check_canonical(self.model_extra)
            except MalformedData as exc:
                raise ValueError(exc.message) from None
        return self

    @model_serializer(mode="wrap")
    def _first_version_by_omission(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.v == FIRST_VERSION and "v" not in self.model_fields_set:
            data.pop("v", None)
        return data

    @property
    def format_version(self) -> FormatVersion:
        return FormatVersion.parse(self.v)


class SignedModel(VersionedModel):
    """Signed by an organisation's key: the signature covers the canonical bytes of
    every other field, and the federation's trust bundle says whose key it is.

    A subclass names the key id of the signer's certificate (:attr:`signer_key_id`)
    and the time the signer vouched for it (:attr:`signed_at`). Every field is
    checked canonical when the model is made (extras above, payloads by their own
    validators), so the bytes are encoded without checking again.
    """

    signature: Base64Bytes = b""

    @property
    @abstractmethod
    def signer_key_id(self) -> str: ...

    @property
    @abstractmethod
    def signed_at(self) -> datetime: ...

    def signed_bytes(self) -> bytes:
        return encode_checked(self.model_dump(mode="json", exclude={"signature"}))

    def to_bytes(self) -> bytes:
        """The whole model, signature included, canonical."""
        return encode_checked(self.model_dump(mode="json"))

    def signed_by(self, key: PrivateKey) -> Self:
        """This model with ``key``'s signature (the key of the certificate it names)."""
        return self.model_copy(update={"signature": sign(key, self.signed_bytes())})

    def verify_signer(self, bundle: TrustBundle) -> Organisation:
        """The signer, if the federation vouches for it at :attr:`signed_at` and every
        byte is as it signed; otherwise :class:`~ipfed.ledger.identity.UntrustedIdentity`
        (:class:`~ipfed.ledger.identity.BadSignature` for altered bytes)."""
        return bundle.verify(
            self.signer_key_id, self.signed_bytes(), self.signature, at=self.signed_at
        )
