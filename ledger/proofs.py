"""Proofs as data: the JSON layout of the RFC 9162 test vectors (byte strings in base64)."""

import json
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ipfed.ledger.canonical import Base64Bytes
from ipfed.ledger.errors import MalformedData
from ipfed.ledger.merkle import verify_consistency, verify_inclusion

Hash = Base64Bytes
Path = Annotated[list[Hash], BeforeValidator(lambda v: [] if v is None else v)]


class _Proof(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class InclusionProof(_Proof):
    leaf_index: int = Field(alias="leafIdx")
    tree_size: int = Field(alias="treeSize")
    root: Hash
    leaf_hash: Hash = Field(alias="leafHash")
    proof: Path = []

    def verify(self) -> None:
        """Raise :class:`~ipfed.ledger.errors.InvalidProof` unless the proof holds."""
        verify_inclusion(self.leaf_index, self.tree_size, self.leaf_hash, self.proof, self.root)


class ConsistencyProof(_Proof):
    size1: int
    size2: int
    root1: Hash
    root2: Hash
    proof: Path = []

    def verify(self) -> None:
        verify_consistency(self.size1, self.size2, self.root1, self.root2, self.proof)


def parse_proof(data: bytes | str) -> InclusionProof | ConsistencyProof:
    """Read one proof; which kind is told by its fields. Raises :class:`MalformedData`."""
    try:
        document = json.loads(data)
        if not isinstance(document, dict):
            raise MalformedData("a proof is a JSON object")
        inclusion = "leafIdx" in document or "leaf_index" in document
        model: type[_Proof] = InclusionProof if inclusion else ConsistencyProof
        return model.model_validate(document)  # type: ignore[return-value]
    except (ValueError, ValidationError) as exc:
        raise MalformedData(f"not a readable proof: {exc}".splitlines()[0]) from None
