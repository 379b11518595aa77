from datetime import datetime

from pydantic import Field

from ipfed.nodes.participants.schemas import ShopRef
from ipfed.nodes.privacy.models import Cause
from ipfed.nodes.schemas import InputModel, OutputModel
from ipfed.registry.identifiers import USCC


class ErasureRequestIn(InputModel):
    """A data subject's erasure request as the node's office decided it. The subject is
    named by any of their seller name, credit code and shop; what the participants'
    register knows of the same subject is erased with it."""

    request_ref: str = Field(
        min_length=1, max_length=100, description="the office's number of the decided request"
    )
    decided_by: str = Field(min_length=1, max_length=300, description="who decided it")
    seller: str | None = Field(default=None, min_length=1, max_length=300)
    uscc: USCC | None = None
    shop: ShopRef | None = None


class ErasureOut(OutputModel):
    id: str
    created_at: datetime
    cause: Cause
    request_ref: str | None
    decided_by: str | None
    recorded_by: str | None
    counts: dict[str, int] = Field(description="records changed, per kind")
