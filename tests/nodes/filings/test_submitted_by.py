"""A filing submitted by a person names them: the office keeps the account, the
signed document carries only the pseudonym, and the national node gets no name."""

from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.person import Person
from ipfed.nodes.accounts.service import add_account
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import transaction, utcnow
from ipfed.nodes.filings.calendar import FilingKind
from ipfed.nodes.filings.document import SignedFiling
from ipfed.nodes.filings.models import Filing, FilingState
from ipfed.nodes.filings.schemas import FilingOut, FillIn
from ipfed.nodes.filings.service import create_filing, fill_filing, submit
from ipfed.nodes.filings.transport import FilingTransport

WRITTEN = {"progress": "开展电商平台专项检查。", "problems": "无", "next_month": "继续巡查。"}


def test_the_person_who_submits_is_kept_and_only_their_pseudonym_travels(
    db: Session,
    sessions: sessionmaker[Session],
    shanghai: NodeSettings,
    to_national: FilingTransport,
    national_sessions: sessionmaker[Session],
) -> None:
    account, _ = add_account(
        db=db, username="sun.li", name="孙丽", org=shanghai.org_name, role=Role.REGIONAL
    )
    filing = create_filing(
        db=db, settings=shanghai, kind=FilingKind.MONTHLY_REPORT, period="2024-03"
    )
    fill_filing(db=db, filing=filing, fill=FillIn(sections=WRITTEN))
    db.commit()
    person = Person(account.id, account.username, account.name, account.pseudonym)
    submit(
        sessions=sessions, settings=shanghai, filing_id=filing.id, transport=to_national,
        now=utcnow(), person=person,
    )  # fmt: skip
    db.refresh(filing)
    assert filing.state is FilingState.ACKNOWLEDGED
    assert filing.submitted_by_id == account.id
    assert FilingOut.model_validate(filing).submitted_by == "孙丽"

    sent = SignedFiling.from_bytes(filing.signed or b"")
    assert sent.document.submitted_by == account.pseudonym
    for secret in ("孙丽".encode(), b"sun.li", account.id.encode()):
        assert secret not in (filing.signed or b"")
    with transaction(national_sessions) as there:
        stored = there.get(Filing, filing.id)
        assert stored is not None and stored.submitted_by_id is None
        assert SignedFiling.from_bytes(stored.signed or b"").document.submitted_by == (
            account.pseudonym
        )


def test_a_filing_submitted_by_a_machine_names_nobody(
    db: Session, sessions: sessionmaker[Session], shanghai: NodeSettings,
    to_national: FilingTransport,
) -> None:  # fmt: skip
    filing = create_filing(
        db=db, settings=shanghai, kind=FilingKind.MONTHLY_REPORT, period="2024-04"
    )
    fill_filing(db=db, filing=filing, fill=FillIn(sections=WRITTEN))
    db.commit()
    submit(
        sessions=sessions, settings=shanghai, filing_id=filing.id, transport=to_national,
        now=utcnow(),
    )  # fmt: skip
    db.refresh(filing)
    assert filing.submitted_by_id is None
    assert b"submitted_by" not in (filing.signed or b"")  # absent, not null: hashes unchanged
