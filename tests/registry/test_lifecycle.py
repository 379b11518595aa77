"""The mark rules shared by the node, the SDK and the ledger's contract."""

from datetime import date, timedelta

import pytest

from ipfed.registry.errors import OutOfScope
from ipfed.registry.lifecycle import (
    DEFAULT_VALIDITY,
    LISTED,
    STATUS_ERRORS,
    TRANSITIONS,
    MarkStatus,
    check_status,
    latest_validity,
    scope_classes,
)

TODAY = date(2026, 12, 3)


def test_every_status_has_its_transitions_and_revoked_and_expired_are_final() -> None:
    assert set(TRANSITIONS) == set(MarkStatus)
    assert TRANSITIONS[MarkStatus.REVOKED] == TRANSITIONS[MarkStatus.EXPIRED] == frozenset()
    assert all(status not in TRANSITIONS[status] for status in MarkStatus)


def test_each_status_but_active_is_on_one_status_list_and_refused_with_its_own_code() -> None:
    listed = [status for statuses in LISTED.values() for status in statuses]
    assert sorted(listed) == sorted(set(MarkStatus) - {MarkStatus.ACTIVE})
    check_status(MarkStatus.ACTIVE, None)
    for status in listed:
        with pytest.raises(STATUS_ERRORS[status]) as raised:
            check_status(status, None)
        assert raised.value.code == status.value  # what a platform sees in a scan's verdict
        assert raised.value.message == f"the mark is {status}"


def test_a_mark_is_valid_no_longer_than_its_right_and_licence() -> None:
    right_ends, licence_ends = TODAY + timedelta(days=800), TODAY + timedelta(days=100)
    assert latest_validity(TODAY, right_ends, licence_ends) == licence_ends
    assert latest_validity(TODAY, right_ends, None) == right_ends
    assert latest_validity(TODAY, None, None) == TODAY + DEFAULT_VALIDITY


def test_a_mark_covers_registered_classes_only_and_only_a_trademark_has_any() -> None:
    assert scope_classes(None, [25, 28]) == [25, 28]
    assert scope_classes([25], [25, 28]) == [25]
    with pytest.raises(OutOfScope, match=r"classes \[9\] are not registered"):
        scope_classes([9, 25], [25, 28])
    assert scope_classes(None, None) == scope_classes([], None) == []
    with pytest.raises(OutOfScope, match="only trademark marks"):
        scope_classes([25], None)
