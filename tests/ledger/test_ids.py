"""The one ULID pattern: what every record, envelope and message id must look like."""

import pytest
from pydantic import TypeAdapter, ValidationError
from ulid import ULID

from ipfed.ledger.ids import Ulid

ids = TypeAdapter(Ulid)


def test_a_generated_ulid_is_accepted() -> None:
    new = str(ULID())
    assert ids.validate_python(new) == new


@pytest.mark.parametrize(
    "text",
    [
        "01JD8X4ZQ5E7B6M3N2P1R0S9T",  # 25 characters
        "01JD8X4ZQ5E7B6M3N2P1R0S9T8X",  # 27
        "01jd8x4zq5e7b6m3n2p1r0s9t8",  # lower case
        "01JD8X4ZQ5E7B6M3N2P1R0S9TU",  # U is not Crockford base32 (nor I, L, O)
        "01JD8X4ZQ5E7B6M3N2P1R0S9T8\n",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        ids.validate_python(text)
