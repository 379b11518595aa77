"""A checkpoint speaks for a log only with the signature of the office whose log it is:
the office of the region its origin names, as the trust bundle knows it."""

import pytest

from ipfed.ledger.checkpoint import Checkpoint, log_region
from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.note import SignedNote
from ipfed.ledger.owner import NotTheLogOwner, verify_checkpoint
from ipfed.ledger.trust import TrustBundle

ROOT = bytes(range(32))
SHANGHAI_LOG = "ipfed/310000/sh"


@pytest.fixture(scope="module")
def federation() -> tuple[TrustBundle, dict[str, tuple]]:
    authority = CertificateAuthority.create()
    members = {}
    for name, role, region in (
        ("上海市知识产权局", Role.REGIONAL, "310000"),
        ("浙江省知识产权局", Role.REGIONAL, "330000"),
        ("国家知识产权局", Role.NATIONAL, "100000"),
        ("上海某电商平台", Role.PLATFORM, "310000"),
        ("上海市市场监督管理局", Role.ENFORCEMENT, "310000"),
    ):
        key = generate_key()
        members[name] = (key, authority.issue(Organisation(name, role, region), key.public_key()))
    return TrustBundle(authority.certificate, [c for _, c in members.values()]), members


def note(origin: str, *signers: tuple) -> SignedNote:
    signed = SignedNote(Checkpoint(origin, 7, ROOT).body(), ())
    for key, certificate in signers:
        signed = signed.signed_by(key, certificate)
    return SignedNote.parse(str(signed))


def test_the_logs_office_is_its_owner_and_others_are_witnesses(federation: tuple) -> None:
    bundle, members = federation
    own = verify_checkpoint(note(SHANGHAI_LOG, members["上海市知识产权局"]), bundle)
    assert own.owner.name == "上海市知识产权局" and own.witnesses == []
    cosigned = note(
        SHANGHAI_LOG,
        members["上海市知识产权局"],
        members["国家知识产权局"],
        members["上海某电商平台"],
    )
    verified = verify_checkpoint(cosigned, bundle)
    assert verified.owner.name == "上海市知识产权局"
    assert [w.name for w in verified.witnesses] == [
        "国家知识产权局"
    ]  # a platform witnesses nothing
    national = verify_checkpoint(note("ipfed/100000/national", members["国家知识产权局"]), bundle)
    assert national.owner.role is Role.NATIONAL


@pytest.mark.parametrize(
    "signers",
    [
        ["浙江省知识产权局"],  # another office
        ["国家知识产权局"],  # even the national office cannot sign for a regional log
        ["上海某电商平台"],  # the right region, but no office
        ["上海市市场监督管理局", "浙江省知识产权局", "国家知识产权局"],
    ],
)
def test_a_checkpoint_signed_only_by_others_is_refused(
    federation: tuple, signers: list[str]
) -> None:
    bundle, members = federation
    forged = note(SHANGHAI_LOG, *(members[name] for name in signers))
    with pytest.raises(NotTheLogOwner) as refused:
        verify_checkpoint(forged, bundle)
    assert refused.value.code == "not_the_log_owner"
    assert SHANGHAI_LOG in refused.value.message


@pytest.mark.parametrize(
    "origin", ["ipfed/sh", "other/310000/sh", "ipfed//sh", "ipfed/310000/sh/x"]
)
def test_an_origin_that_names_no_office_has_no_owner(federation: tuple, origin: str) -> None:
    bundle, members = federation
    assert log_region(origin) is None
    with pytest.raises(NotTheLogOwner):
        verify_checkpoint(note(origin, members["上海市知识产权局"]), bundle)
