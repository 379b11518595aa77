"""Record identifiers: records, envelopes and messages are named by ULIDs (26 characters
of Crockford's base32, time-ordered), written one way everywhere."""

from typing import Annotated

from pydantic import StringConstraints

ULID_CHARACTERS = r"[0-9A-HJKMNP-TV-Z]{26}"
ULID_PATTERN = rf"^{ULID_CHARACTERS}$"
Ulid = Annotated[str, StringConstraints(pattern=ULID_PATTERN)]
