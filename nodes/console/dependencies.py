"""What a console page's route asks for: the caller signed in, the person, the time."""

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from ipfed.nodes.accounts.person import Person
from ipfed.nodes.auth.dependencies import Caller, current_caller
from ipfed.nodes.errors import Forbidden

# The caller of a page: a person signed in (or an API key), admitted by the policy.
Signed = Annotated[Caller, Depends(current_caller)]


def clock(request: Request) -> datetime:
    """The node's time (tests set ``app.state.clock``)."""
    now: datetime = request.app.state.clock()
    return now


Now = Annotated[datetime, Depends(clock)]


def person_of(caller: Caller) -> Person:
    """The person behind the caller; a page that is a person's refuses an API key."""
    if caller.person is None:
        raise Forbidden("this page is a person's: sign in to the console", code="person_required")
    return caller.person
