"""Signed checkpoints: C2SP checkpoint bodies in signed notes, signed by federation keys."""

import pytest

from ipfed.ledger.checkpoint import Checkpoint
from ipfed.ledger.errors import MalformedData
from ipfed.ledger.identity import (
    BadSignature,
    CertificateAuthority,
    Organisation,
    Role,
    UntrustedIdentity,
    generate_key,
)
from ipfed.ledger.note import SignedNote
from ipfed.ledger.trust import TrustBundle

ROOT = bytes(range(32))


@pytest.fixture(scope="module")
def federation() -> tuple[TrustBundle, dict[str, tuple]]:
    authority = CertificateAuthority.create()
    members = {}
    for name, role, region, algorithm in (
        ("sh", Role.REGIONAL, "310000", "ecdsa-p256"),
        ("national", Role.NATIONAL, "100000", "ed25519"),
    ):
        key = generate_key(algorithm)  # type: ignore[arg-type]
        members[name] = (key, authority.issue(Organisation(name, role, region), key.public_key()))
    return TrustBundle(authority.certificate, [c for _, c in members.values()]), members


def test_checkpoint_text_form() -> None:
    checkpoint = Checkpoint("ipfed/310000/sh", 42, ROOT)
    assert checkpoint.body() == (
        "ipfed/310000/sh\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    )
    assert Checkpoint.parse(checkpoint.body()) == checkpoint
    assert Checkpoint.parse(checkpoint.body() + "extension line\n") == checkpoint
    for bad in (
        "ipfed/x\n042\nAAEC\n",
        "ipfed/x\n1\n",
        "ipfed/x\n-1\n" + "A" * 44 + "\n",
        "a b\n1\nAAEC\n",
    ):
        with pytest.raises(MalformedData):
            Checkpoint.parse(bad)


def test_signed_and_cosigned_checkpoints_verify(federation: tuple) -> None:
    bundle, members = federation
    note = SignedNote(Checkpoint("ipfed/310000/sh", 7, ROOT).body(), ())
    signed = note.signed_by(*members["sh"])
    cosigned = SignedNote.parse(str(signed)).signed_by(*members["national"])

    parsed = SignedNote.parse(str(cosigned))
    assert [o.name for o in parsed.verify(bundle)] == ["sh", "national"]
    assert Checkpoint.parse(parsed.text).size == 7


def test_tampered_notes_are_refused(federation: tuple) -> None:
    bundle, members = federation
    signed = str(
        SignedNote(Checkpoint("ipfed/310000/sh", 7, ROOT).body(), ()).signed_by(*members["sh"])
    )

    with pytest.raises(BadSignature):
        SignedNote.parse(signed.replace("\n7\n", "\n8\n")).verify(bundle)
    outsider = CertificateAuthority.create()
    key = generate_key()
    stranger = outsider.issue(Organisation("sh", Role.REGIONAL, "310000"), key.public_key())
    forged = SignedNote(Checkpoint("ipfed/310000/sh", 9, ROOT).body(), ()).signed_by(key, stranger)
    with pytest.raises(UntrustedIdentity) as raised:
        forged.verify(bundle)
    assert raised.value.code == "unsigned_note"
    for broken in (
        signed.replace("\u2014", "-"),
        signed + "trailing",
        "no blank line\n",
        signed.replace("\n7", "\x07"),
    ):
        with pytest.raises(MalformedData):
            SignedNote.parse(broken)
