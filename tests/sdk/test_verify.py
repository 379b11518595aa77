"""Golden and tampered tokens: each failure has its own error type."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from ipfed.ledger.identity import CertificateAuthority, Organisation, PrivateKey, Role, generate_key
from ipfed.ledger.trust import TrustBundle, key_id
from ipfed.registry.credential import Claims, RightType, issue_token, parse_token
from ipfed.registry.status_list import StatusListDocument, StatusPurpose, sign_status_list
from ipfed.sdk import (
    BadSignature,
    MalformedToken,
    MarkExpired,
    MarkRevoked,
    MarkSuspended,
    NotYetValid,
    OutOfScope,
    RevokedIssuer,
    StaleStatusList,
    StatusUnavailable,
    UnknownIssuer,
    UnlicensedSeller,
    VerificationError,
    Verifier,
)

NOW = datetime.now(UTC)  # certificates are issued now
TODAY = NOW.date()
HOLDER = "91310115MA1FL3QX0F"
LICENSEE = "91330106MA27Y8K10G"
OTHER = "91441302MA4UJ2PG06"
SH = Organisation("上海市知识产权局", Role.REGIONAL, "310000")


def claims(**changes: object) -> Claims:
    fields: dict[str, object] = {
        "mark_id": "01JD8X4ZQ5E7B6M3N2P1R0S9T8",
        "right_type": RightType.TRADEMARK,
        "right_number": "4410392",
        "holder": HOLDER,
        "valid_from": TODAY - timedelta(days=30),
        "valid_until": TODAY + timedelta(days=700),
        "status_index": 70_001,
        "nice_classes": frozenset({25}),
    }
    fields.update(changes)
    return Claims(**fields)  # type: ignore[arg-type]


class Office:
    def __init__(self, authority: CertificateAuthority, organisation: Organisation) -> None:
        self.key: PrivateKey = generate_key()
        self.certificate: x509.Certificate = authority.issue(organisation, self.key.public_key())
        self.key_id = key_id(self.certificate)

    def token(self, **changes: object) -> str:
        return issue_token(claims(**changes), self.key, self.key_id)

    def status(
        self, purpose: StatusPurpose, indexes: list[int], ttl: timedelta = timedelta(hours=1)
    ) -> StatusListDocument:
        issued = NOW - timedelta(seconds=1)
        return sign_status_list(
            purpose=purpose,
            indexes=indexes,
            size=131_072,
            issuer=self.key_id,
            key=self.key,
            valid_from=issued,
            valid_until=issued + ttl,
        )


@pytest.fixture(autouse=True)
def _now() -> None:
    """Each test's "now": certificates made by earlier tests are valid from before it."""
    global NOW
    NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def authority() -> CertificateAuthority:
    # "Now" is when these tests start, not when the suite imported them: certificates
    # are valid from five minutes before they are issued, and a long suite outlasts that.
    global NOW, TODAY
    NOW = datetime.now(UTC)
    TODAY = NOW.date()
    return CertificateAuthority.create()


@pytest.fixture(scope="module")
def office(authority: CertificateAuthority) -> Office:
    return Office(authority, SH)


def verifier(
    authority: CertificateAuthority, *offices: Office, revoked=(), suspended=()
) -> Verifier:  # type: ignore[no-untyped-def]
    crl = authority.revocation_list({}) if not offices else None
    bundle = TrustBundle(authority.certificate, [o.certificate for o in offices], crl)
    checker = Verifier(bundle)
    for office in offices:
        checker.load_status(office.status(StatusPurpose.REVOCATION, list(revoked)))
        checker.load_status(office.status(StatusPurpose.SUSPENSION, list(suspended)))
    return checker


def test_a_valid_token_gives_its_facts(authority: CertificateAuthority, office: Office) -> None:
    token = office.token()
    mark = verifier(authority, office).verify(token, product_class=25, seller=HOLDER, at=NOW)
    assert mark.claims == claims()
    assert mark.issuer == SH
    assert mark.status_checked_at == NOW - timedelta(seconds=1)  # when the lists were issued


def test_the_qr_url_verifies_like_the_token(
    authority: CertificateAuthority, office: Office
) -> None:
    url = "https://310000.ipfed.cn/v/" + office.token()
    assert verifier(authority, office).verify(url, at=NOW).claims.mark_id == claims().mark_id


def test_every_flipped_byte_is_refused(authority: CertificateAuthority, office: Office) -> None:
    token = office.token()
    checker = verifier(authority, office)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for position in range(len(raw)):
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        text = base64.urlsafe_b64encode(bytes(tampered)).decode().rstrip("=")
        with pytest.raises(VerificationError) as raised:
            checker.verify(text, at=NOW)
        assert raised.type in {BadSignature, MalformedToken, UnknownIssuer}, position
    # One byte inside the signed claims: the signature no longer matches.
    payload_byte = len(raw) - 64 - 10
    tampered = bytearray(raw)
    tampered[payload_byte] ^= 0x01
    text = base64.urlsafe_b64encode(bytes(tampered)).decode().rstrip("=")
    with pytest.raises((BadSignature, MalformedToken)):
        checker.verify(text, at=NOW)


def test_a_wrong_issuer_is_unknown(authority: CertificateAuthority, office: Office) -> None:
    stranger = Office(CertificateAuthority.create(), SH)  # same name, another federation
    with pytest.raises(UnknownIssuer):
        verifier(authority, office).verify(stranger.token(), at=NOW)


def test_a_platform_cannot_issue_marks(authority: CertificateAuthority, office: Office) -> None:
    platform = Office(authority, Organisation("某电商平台", Role.PLATFORM, "330000"))
    with pytest.raises(UnknownIssuer, match="not an IP office"):
        verifier(authority, office, platform).verify(platform.token(), at=NOW)


def test_a_revoked_issuer(authority: CertificateAuthority) -> None:
    office = Office(authority, SH)
    crl = authority.revocation_list({office.certificate.serial_number: NOW - timedelta(days=1)})
    checker = Verifier(TrustBundle(authority.certificate, [office.certificate], crl))
    with pytest.raises(RevokedIssuer):
        checker.verify(office.token(), at=NOW)


def test_revoked_and_suspended_marks(authority: CertificateAuthority, office: Office) -> None:
    token = office.token()
    with pytest.raises(MarkRevoked):
        verifier(authority, office, revoked=[70_001]).verify(token, at=NOW)
    with pytest.raises(MarkSuspended):
        verifier(authority, office, suspended=[70_001]).verify(token, at=NOW)
    # Neighbouring bits do not touch this mark.
    verifier(authority, office, revoked=[70_000, 70_002]).verify(token, at=NOW)


def test_expired_and_not_yet_valid(authority: CertificateAuthority, office: Office) -> None:
    checker = verifier(authority, office)
    with pytest.raises(MarkExpired):
        checker.verify(office.token(valid_until=TODAY - timedelta(days=1)), at=NOW)
    with pytest.raises(NotYetValid):
        checker.verify(office.token(valid_from=TODAY + timedelta(days=1)), at=NOW)


def test_a_stale_or_missing_status_list(authority: CertificateAuthority, office: Office) -> None:
    token = office.token()
    checker = Verifier(TrustBundle(authority.certificate, [office.certificate]))
    with pytest.raises(StatusUnavailable):
        checker.verify(token, at=NOW)
    checker.load_status(office.status(StatusPurpose.REVOCATION, [], ttl=timedelta(milliseconds=1)))
    checker.load_status(office.status(StatusPurpose.SUSPENSION, [], ttl=timedelta(milliseconds=1)))
    with pytest.raises(StaleStatusList):
        checker.verify(token, at=NOW)
    fresh = Verifier(TrustBundle(authority.certificate, [office.certificate]))
    fresh.load_status(office.status(StatusPurpose.REVOCATION, []))
    fresh.load_status(office.status(StatusPurpose.SUSPENSION, []))
    fresh.verify(token, at=NOW)


def test_a_forged_status_list_is_refused(authority: CertificateAuthority, office: Office) -> None:
    forger = Office(authority, Organisation("浙江省知识产权局", Role.REGIONAL, "330000"))
    forged = forger.status(StatusPurpose.REVOCATION, []).model_copy(
        update={"issuer": office.key_id}
    )
    with pytest.raises(StatusUnavailable, match="does not verify"):
        verifier(authority, office, forger).load_status(forged)


def test_product_class_outside_the_scope(authority: CertificateAuthority, office: Office) -> None:
    checker = verifier(authority, office)
    with pytest.raises(OutOfScope):
        checker.verify(office.token(), product_class=9, at=NOW)
    design = office.token(
        right_type=RightType.PATENT, nice_classes=frozenset(), locarno_class="09-03"
    )
    checker.verify(design, product_class="09-01", at=NOW)
    with pytest.raises(OutOfScope):
        checker.verify(design, product_class="14-01", at=NOW)


def test_an_unlicensed_seller(authority: CertificateAuthority, office: Office) -> None:
    checker = verifier(authority, office)
    with pytest.raises(UnlicensedSeller):
        checker.verify(office.token(), seller=OTHER, at=NOW)
    licensed = office.token(licensee=LICENSEE)
    checker.verify(licensed, seller=LICENSEE, at=NOW)
    with pytest.raises(UnlicensedSeller):  # the licensee's goods only
        checker.verify(licensed, seller=HOLDER, at=NOW)


def test_unit_codes_verify_on_their_own(authority: CertificateAuthority, office: Office) -> None:
    unit = office.token(unit_serial="ABCDEFGHIJKLMNOP", batch="B-2026-11")
    mark = verifier(authority, office).verify(unit, at=NOW)
    assert mark.claims.is_unit and mark.claims.batch == "B-2026-11"
    verifier(authority, office).verify(unit, seller=OTHER, at=NOW)  # resale of a genuine unit
    with pytest.raises(MarkRevoked):  # a unit carries its mark's status
        verifier(authority, office, revoked=[70_001]).verify(unit, at=NOW)


def test_status_lists_are_cached_on_disk(
    authority: CertificateAuthority, office: Office, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    bundle = TrustBundle(authority.certificate, [office.certificate])
    first = Verifier(bundle, cache_dir=tmp_path)
    first.load_status(office.status(StatusPurpose.REVOCATION, [70_001]))
    first.load_status(office.status(StatusPurpose.SUSPENSION, []))
    with pytest.raises(MarkRevoked):  # a new process, offline, from the cache alone
        Verifier(bundle, cache_dir=tmp_path).verify(office.token(), at=NOW)


def test_garbage_is_malformed(authority: CertificateAuthority, office: Office) -> None:
    checker = verifier(authority, office)
    for text in ["", "not a token", "AAAA", "https://x.cn/v/", "🙂" * 10]:
        with pytest.raises(MalformedToken):
            checker.verify(text, at=NOW)


def test_token_size_fits_a_small_qr(office: Office) -> None:
    token = office.token(licensee=LICENSEE, unit_serial="ABCDEFGHIJKLMNOP", batch="B-2026-11")
    assert parse_token(token).claims.unit_serial == "ABCDEFGHIJKLMNOP"
    assert len(token) < 300
