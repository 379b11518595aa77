"""The person who takes a decision, as services see it.

A decision (a lead's review, a mark's issuance or status, a filing's submission)
stores its person's account id, and the node shows the name. What leaves the node,
on the ledger or in a signed document, says only the person's pseudonym: a random id
that the node alone can turn back into a person. A decision taken with an API key
(a machine) names no person.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """The person behind a console session."""

    id: str
    username: str
    name: str
    pseudonym: str


def on_ledger(person: "Person | None") -> dict[str, str]:
    """The fields a ledger transaction adds for the person who decided: the pseudonym."""
    return {"person": person.pseudonym} if person else {}


def person_id(person: "Person | None") -> str | None:
    return person.id if person else None
