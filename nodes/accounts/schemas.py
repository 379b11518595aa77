from datetime import datetime

from pydantic import Field

from ipfed.nodes.schemas import OutputModel


class AccessRecordOut(OutputModel):
    id: str
    created_at: datetime
    person: str | None = Field(
        default=None, description="the username of the person, when a person made the request"
    )
    key_prefix: str | None = Field(description="the API key's prefix, when a key made it")
    org: str
    role: str
    method: str
    route: str = Field(description="the route's path template")
    record_id: str | None = Field(description="the path parameters of the request")
    status: int
