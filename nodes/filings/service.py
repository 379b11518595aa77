"""A regional office's own filings (create, fill, seal, deliver, correct, receipts)
and where every filing stands against the calendar."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.nodes.accounts.models import Account
from ipfed.nodes.accounts.person import Person
from ipfed.nodes.adjudications.models import Adjudication
from ipfed.nodes.config import NodeRole, NodeSettings
from ipfed.nodes.database.core import get_or_404, transaction
from ipfed.nodes.errors import Conflict, Forbidden, InvalidInput, IpfedError, NotFound
from ipfed.nodes.filings.calendar import (
    KIND_NAMES,
    REMINDED,
    Calendar,
    FilingKind,
    Period,
    check_period,
    china_today,
)
from ipfed.nodes.filings.document import (
    FilingDocument,
    FilingRefused,
    SignedFiling,
    SignedReceipt,
    TypicalCase,
    verify_receipt,
)
from ipfed.nodes.filings.models import Filing, FilingReceipt, FilingState
from ipfed.nodes.filings.schemas import SECTIONS, FillIn, ObligationOut, Preview
from ipfed.nodes.filings.statistics import Statistics, collect
from ipfed.nodes.filings.transport import DeliveryFailed, FilingTransport
from ipfed.nodes.identity import node_identity
from ipfed.registry.identifiers import PROVINCES, region_name

SEALED = (FilingState.SUBMITTED, FilingState.ACKNOWLEDGED, FilingState.REFUSED)


def get_filing(*, db: Session, filing_id: str) -> Filing:
    return get_or_404(db, Filing, filing_id, message=f"no filing {filing_id}")


def own_filing(*, db: Session, settings: NodeSettings, filing_id: str) -> Filing:
    filing = get_filing(db=db, filing_id=filing_id)
    if filing.region_code != settings.region_code:
        raise NotFound(f"no filing {filing_id} of this office")
    return filing


def statistics_window(kind: FilingKind, period: Period) -> tuple[datetime, datetime]:
    """What a filing's figures cover: its period, or for a plan the year before (its baseline)."""
    return (period.previous() if kind is FilingKind.IMPLEMENTATION_PLAN else period).window()


def latest_version(*, db: Session, region: str, kind: FilingKind, period: str) -> Filing | None:
    return db.scalars(
        select(Filing)
        .where(Filing.region_code == region, Filing.kind == kind, Filing.period == period)
        .order_by(Filing.version.desc())
        .limit(1)
    ).first()


def create_filing(*, db: Session, settings: NodeSettings, kind: FilingKind, period: str) -> Filing:
    """A new draft, its figures computed from the node's data."""
    if settings.role is NodeRole.NATIONAL:
        raise Forbidden("the national office receives filings; it files none", code="not_a_filer")
    parsed = Period.parse(period)
    check_period(kind, parsed)
    latest = latest_version(db=db, region=settings.region_code, kind=kind, period=str(parsed))
    if latest is not None:
        what = "a draft" if latest.state is FilingState.DRAFT else "a filed version"
        raise Conflict(
            f"{kind} {parsed} already has {what} ({latest.id}); fill or correct it",
            code="filing_exists",
        )
    start, end = statistics_window(kind, parsed)
    filing = Filing(
        region_code=settings.region_code,
        office=settings.org_name,
        kind=kind,
        period=str(parsed),
        version=1,
        state=FilingState.DRAFT,
        title=f"{settings.org_name}{parsed.label()}{KIND_NAMES[kind]}",
        statistics=collect(db=db, start=start, end=end).model_dump(),
        sections=dict.fromkeys(SECTIONS[kind], ""),
        typical_cases=[],
    )
    db.add(filing)
    db.flush()
    return filing


def _draft(filing: Filing) -> Filing:
    if filing.state is not FilingState.DRAFT:
        raise Conflict(
            f"filing {filing.id} is {filing.state}: a correction is a new version",
            code="not_a_draft",
        )
    return filing


def _typical_case(db: Session, case_no: str, summary: str | None) -> TypicalCase:
    case = db.scalars(select(Adjudication).where(Adjudication.case_no == case_no)).first()
    if case is None:
        raise InvalidInput(f"no adjudication with case number {case_no}", code="unknown_case")
    return TypicalCase(
        case_no=case.case_no,
        right_kind=case.right.kind.value,
        right_number=case.right.number,
        decision=case.decision.value,
        decided_on=case.decided_on.isoformat(),
        authority=case.authority,
        summary=summary if summary is not None else case.summary or "",
    )


def fill_filing(*, db: Session, filing: Filing, fill: FillIn) -> Filing:
    _draft(filing)
    unknown = sorted(set(fill.sections) - set(SECTIONS[filing.kind]))
    if unknown:
        raise InvalidInput(
            f"a {filing.kind} has no section {', '.join(unknown)} "
            f"(it has {', '.join(SECTIONS[filing.kind])})",
            code="unknown_section",
        )
    if fill.title is not None:
        filing.title = fill.title
    filing.sections = {**filing.sections, **fill.sections}
    if fill.typical_cases is not None:
        chosen = [_typical_case(db, c.case_no, c.summary) for c in fill.typical_cases]
        filing.typical_cases = [case.model_dump() for case in chosen]
    if fill.refresh_statistics:
        start, end = statistics_window(filing.kind, Period.parse(filing.period))
        filing.statistics = collect(db=db, start=start, end=end).model_dump()
    db.flush()
    return filing


def correct_filing(*, db: Session, filing: Filing) -> Filing:
    """A new draft version that will supersede ``filing``, which stays as it was."""
    if filing.state not in SEALED:
        raise Conflict(f"filing {filing.id} is {filing.state}; fill it instead", code="not_filed")
    latest = latest_version(
        db=db, region=filing.region_code, kind=filing.kind, period=filing.period
    )
    if latest is not None and latest.id != filing.id:
        raise Conflict(
            f"version {latest.version} ({latest.id}) is the one to correct", code="not_latest"
        )
    correction = Filing(
        region_code=filing.region_code,
        office=filing.office,
        kind=filing.kind,
        period=filing.period,
        version=filing.version + 1,
        supersedes_id=filing.id,
        state=FilingState.DRAFT,
        title=filing.title,
        statistics=filing.statistics,
        sections=filing.sections,
        typical_cases=filing.typical_cases,
    )
    db.add(correction)
    db.flush()
    return correction


def document_of(filing: Filing, signed_at: datetime) -> FilingDocument:
    person = filing.submitted_by
    return FilingDocument(
        filing_id=filing.id,
        region_code=filing.region_code,
        office=filing.office,
        kind=filing.kind,
        period=filing.period,
        version=filing.version,
        supersedes=filing.supersedes_id,
        title=filing.title,
        statistics=Statistics.model_validate(filing.statistics),
        sections=filing.sections,
        typical_cases=[TypicalCase.model_validate(c) for c in filing.typical_cases],
        signed_at=signed_at,
        submitted_by=person.pseudonym if person else None,
    )


def missing_sections(filing: Filing) -> list[str]:
    return [name for name in SECTIONS[filing.kind] if not filing.sections.get(name, "").strip()]


def preview(filing: Filing, now: datetime) -> Preview:
    return Preview(
        document=document_of(filing, now).model_dump(mode="json"),
        missing_sections=missing_sections(filing),
    )


def seal(
    *,
    db: Session,
    settings: NodeSettings,
    filing: Filing,
    now: datetime,
    person: Person | None = None,
) -> SignedFiling:
    """Sign a complete draft as this node's office; from now on it never changes. The
    document names the person who submitted it by pseudonym only."""
    _draft(filing)
    if missing := missing_sections(filing):
        raise InvalidInput(
            f"write the sections {', '.join(missing)} before submitting", code="incomplete_filing"
        )
    identity = node_identity(settings)
    if person is not None:
        filing.submitted_by_id = person.id
        filing.submitted_by = db.get(Account, person.id)
    document = document_of(filing, now)
    signed = SignedFiling.create(document, identity.key, identity.certificate)
    filing.state = FilingState.SUBMITTED
    filing.signed, filing.sha256, filing.signed_at = signed.to_bytes(), document.sha256(), now
    db.flush()
    return signed


def deliver(
    *, db: Session, settings: NodeSettings, filing: Filing, transport: FilingTransport
) -> Filing:
    """Send a sealed filing (again). A failed delivery is kept on the filing, to be retried;
    a refusal by the national office makes it refused: a correction must follow."""
    if filing.state is not FilingState.SUBMITTED or filing.signed is None:
        raise Conflict(f"filing {filing.id} is {filing.state}", code="not_submitted")
    try:
        receipt = transport.send(db, SignedFiling.from_bytes(filing.signed))
    except IpfedError as exc:
        if not isinstance(exc, DeliveryFailed):  # the national office said no
            filing.state = FilingState.REFUSED
        filing.delivery_error = f"[{exc.code}] {exc.message}"
        db.flush()
        return filing
    filing.delivery_error = None
    if receipt is not None:
        accept_receipt(db=db, settings=settings, receipt=receipt)
    db.flush()
    return filing


def submit(
    *,
    sessions: sessionmaker[Session],
    settings: NodeSettings,
    filing_id: str,
    transport: FilingTransport,
    now: datetime,
    person: Person | None = None,
) -> Filing:
    """Seal a draft and keep it, then deliver it in a transaction of its own: the signed
    filing survives a failed or interrupted delivery, and no lock is held while sealing
    waits for the national node."""
    with transaction(sessions) as db:
        filing = own_filing(db=db, settings=settings, filing_id=filing_id)
        if filing.state is FilingState.DRAFT:
            seal(db=db, settings=settings, filing=filing, now=now, person=person)
    with transaction(sessions) as db:
        filing = own_filing(db=db, settings=settings, filing_id=filing_id)
        return deliver(db=db, settings=settings, filing=filing, transport=transport)


def deliver_pending(
    *, sessions: sessionmaker[Session], settings: NodeSettings, transport: FilingTransport
) -> list[Filing]:
    """Send again every filing signed but not yet acknowledged; those now acknowledged."""
    with transaction(sessions) as db:
        pending = db.scalars(
            select(Filing.id)
            .where(Filing.region_code == settings.region_code)
            .where(Filing.state == FilingState.SUBMITTED)
            .order_by(Filing.id)
        ).all()
    delivered = []
    for filing_id in pending:
        with transaction(sessions) as db:
            filing = deliver(
                db=db,
                settings=settings,
                filing=own_filing(db=db, settings=settings, filing_id=filing_id),
                transport=transport,
            )
        if filing.state is FilingState.ACKNOWLEDGED:
            delivered.append(filing)
    return delivered


def accept_receipt(*, db: Session, settings: NodeSettings, receipt: SignedReceipt) -> FilingReceipt:
    """Check the national office's receipt for one of our filings and keep it."""
    document = receipt.document
    filing = db.get(Filing, document.filing_id)
    if filing is None or filing.region_code != settings.region_code or filing.sha256 is None:
        raise FilingRefused(f"we filed no {document.filing_id}", code="bad_receipt")
    verify_receipt(receipt, node_identity(settings).bundle, filing.sha256)
    stored = db.get(FilingReceipt, filing.id)
    if stored is None:
        stored = FilingReceipt(
            filing_id=filing.id,
            received_by=document.received_by,
            received_at=document.received_at,
            ledger_position=document.receipt_position,
            signed=receipt.to_bytes(),
        )
        db.add(stored)
    filing.state = FilingState.ACKNOWLEDGED
    db.flush()
    return stored


# --- the calendar -------------------------------------------------------------


def filed_on(
    *, db: Session, settings: NodeSettings
) -> dict[tuple[str, str, str], tuple[str, date]]:
    """When each (region, kind, period) was first filed, and its latest version's id
    (a version the national office refused was not filed)."""
    when = Filing.received_at if settings.role is NodeRole.NATIONAL else Filing.signed_at
    rows = db.execute(
        select(Filing.region_code, Filing.kind, Filing.period, func.min(when), func.max(Filing.id))
        .where(when.is_not(None), Filing.state != FilingState.REFUSED)
        .group_by(Filing.region_code, Filing.kind, Filing.period)
    )
    return {
        (region, str(kind), period): (latest, china_today(first))
        for region, kind, period, first, latest in rows
        if first is not None
    }


def obligations(
    *, db: Session, settings: NodeSettings, calendar: Calendar, year: int, now: datetime
) -> list[ObligationOut]:
    """Every filing due for periods of ``year``: this office's, or at the national node
    every province's, and where each stands today."""
    regions = PROVINCES if settings.role is NodeRole.NATIONAL else (settings.region_code,)
    filed = filed_on(db=db, settings=settings)
    today = china_today(now)
    found = []
    for region in regions:
        for obligation in calendar.obligations(region, year):
            filing_id, first = filed.get(
                (region, obligation.kind.value, str(obligation.period)), (None, None)
            )
            found.append(
                ObligationOut(
                    region_code=region,
                    region_name=region_name(region),
                    kind=obligation.kind,
                    period=str(obligation.period),
                    due=obligation.due,
                    standing=obligation.standing(first, today, calendar.due_soon_days),
                    filing_id=filing_id,
                    filed_on=first,
                )
            )
    return sorted(found, key=lambda o: (o.due, o.region_code, o.kind))


def reminders(
    *, db: Session, settings: NodeSettings, calendar: Calendar, now: datetime
) -> list[ObligationOut]:
    """Filings overdue (within the last year) or due soon."""
    today = china_today(now)
    since = today - timedelta(days=366)
    return [
        o
        for year in (today.year - 1, today.year)
        for o in obligations(db=db, settings=settings, calendar=calendar, year=year, now=now)
        if o.standing in REMINDED and o.due >= since
    ]
