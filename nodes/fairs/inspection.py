"""The pre-exhibition and patrol checks of one exhibit: its mark verified, its name
screened. What fails becomes a flag [{code, reason, at, evidence}] on the exhibit."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.fairs.models import Exhibit, ExhibitCheck, Exhibitor, Fair
from ipfed.nodes.fairs.schemas import Flag, FlagDecision, PatrolScanIn
from ipfed.nodes.fairs.screening import Screen
from ipfed.nodes.identity import node_identity
from ipfed.nodes.marks.models import BizStep, Mark
from ipfed.nodes.marks.scans import Reporter, federation_urls, record_scan
from ipfed.nodes.marks.schemas import ScanIn
from ipfed.registry.credential import Claims, RightType
from ipfed.registry.errors import VerificationError
from ipfed.sdk.verify import Verifier, split_url

IMITATIONS_FLAGGED = 3  # the closest trademarks an exhibit's name resembles


def flag(code: str, reason: str, **evidence: str) -> Flag:
    return Flag(code=code, reason=reason, at=utcnow(), evidence=evidence)


def is_open(stored: dict[str, Any]) -> bool:
    """A flag nobody has cleared (an upheld flag stays, as one not yet reviewed)."""
    review = stored.get("review") or {}
    return review.get("decision") != FlagDecision.CLEARED.value


def add_flags(exhibit: Exhibit, flags: Sequence[Flag]) -> None:
    # A new list: the JSON column notices assignment, not mutation.
    exhibit.flags = [*exhibit.flags, *(f.model_dump(mode="json") for f in flags)]
    recheck(exhibit)


def recheck(exhibit: Exhibit) -> None:
    """Flagged while one of its flags is open."""
    flagged = any(is_open(stored) for stored in exhibit.flags)
    exhibit.check = ExhibitCheck.FLAGGED if flagged else ExhibitCheck.CLEARED


def _product_class(exhibit: Exhibit) -> int | str | None:
    return exhibit.nice_class if exhibit.nice_class is not None else exhibit.locarno_class


@dataclass
class MarkCheck:
    mark_id: str | None = None
    valid: Claims | None = None  # the claims of a mark that verified for this use
    flags: list[Flag] = field(default_factory=list)
    event_id: str | None = None


class Inspector:
    """Verifies the marks shown at one fair: this office's own marks against their stored
    status (recording an EPCIS ``inspecting`` event and looking for clones), other
    offices' marks against the status lists the node caches."""

    def __init__(self, db: Session, settings: NodeSettings, fair: Fair, by: Reporter) -> None:
        self.db, self.settings, self.fair, self.by = db, settings, fair, by
        identity = node_identity(settings)
        self.own_key_id = identity.key_id
        try:
            self.verifier = Verifier(identity.bundle, cache_dir=settings.status_lists_dir)
        except (VerificationError, ValidationError, OSError):
            # An unreadable cache leaves other offices' marks unconfirmed, and flagged.
            self.verifier = Verifier(identity.bundle)

    def check(
        self, exhibitor: Exhibitor, exhibit: Exhibit, token: str, scan: PatrolScanIn | None = None
    ) -> MarkCheck:
        host, _ = split_url(token)
        if host is not None and host.rstrip("/") not in federation_urls(self.settings):
            reason = f"{host} is not a node of the federation"
            return MarkCheck(flags=[flag("foreign_verification_url", reason)])
        try:
            authenticated = self.verifier.authenticate(token)
        except VerificationError as exc:
            return MarkCheck(flags=[flag(exc.code, exc.message)])
        claims, product_class = authenticated.claims, _product_class(exhibit)
        if authenticated.key_id == self.own_key_id:
            return self._own(claims, exhibitor, product_class, token, scan)
        try:
            self.verifier.verify(token, product_class=product_class, seller=exhibitor.uscc)
        except VerificationError as exc:
            reason = f"issued by another office: {exc.message}"
            return MarkCheck(claims.mark_id, flags=[flag(exc.code, reason)])
        return MarkCheck(claims.mark_id, claims)

    def _own(
        self,
        claims: Claims,
        exhibitor: Exhibitor,
        product_class: int | str | None,
        token: str,
        scan: PatrolScanIn | None,
    ) -> MarkCheck:
        if self.db.get(Mark, claims.mark_id) is None:
            reason = "signed by this office, but no such mark is stored"
            return MarkCheck(claims.mark_id, flags=[flag("unknown_mark", reason)])
        place = " ".join(filter(None, [self.fair.venue, exhibitor.booth]))[:300]
        result = record_scan(
            db=self.db,
            settings=self.settings,
            scan=ScanIn(
                token=token,
                biz_step=BizStep.INSPECTING,
                seen_at=scan.seen_at if scan else None,
                place=place,
                region_code=self.fair.region_code,
                latitude=scan.latitude if scan else None,
                longitude=scan.longitude if scan else None,
                seller_uscc=exhibitor.uscc,
                product_class=product_class,
            ),
            by=self.by,
        )
        flags = [] if result.valid else [flag(result.error or "invalid", result.detail or "")]
        flags += [
            flag(
                "clone_suspected",
                alert.reason + ("; one organisation's word alone" if alert.single_party else ""),
                alert_id=alert.id,
                unit=alert.unit_serial,
                organisations=str(alert.organisations),
            )
            for alert in result.alerts
        ]
        return MarkCheck(claims.mark_id, None if flags else claims, flags, result.event_id)


def imitations(
    screen: Screen, exhibitor: Exhibitor, exhibit: Exhibit, valid: Claims | None
) -> list[Flag]:
    """The trademarks the exhibit's name imitates, bar the one its valid mark is of."""
    if exhibit.nice_class is None:
        return []
    flags = []
    for hit in screen(exhibit.name, exhibit.nice_class, exhibitor.name, exhibitor.uscc):
        if valid and valid.right_type is RightType.TRADEMARK and valid.right_number == hit.number:
            continue
        reason = (
            f"「{hit.text}」 looks like registered trademark {hit.number} {hit.name} "
            f"of {hit.holder} in class {hit.nice_class}, and no valid mark of it is shown"
            + "".join(f"; {why}" for why in hit.reasons)
        )
        evidence = {
            "right_id": hit.right_id,
            "right_number": hit.number,
            "trademark": hit.name,
            "holder": hit.holder,
            "text": hit.text,
            "similarity": f"{hit.score:.0f}",
        }
        flags.append(flag("imitates_trademark", reason, **evidence))
    return flags[:IMITATIONS_FLAGGED]
