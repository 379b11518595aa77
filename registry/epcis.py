"""Mark lifecycle events as GS1 EPCIS 2.0 ObjectEvents (JSON-LD), in CBV 2.0 terms.

Marks and units are identified by URIs under the issuing node's public URL
(``<node>/marks/<mark id>`` and ``.../units/<serial>``); events carry our own
fields under the ``ipfed:`` prefix, which the document's context declares.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ulid import ULID

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
IPFED_VOCABULARY = "https://ipfed.cn/epcis/"
CHINA_OFFSET = "+08:00"  # events are shown in the offices' own time zone


@dataclass(frozen=True)
class LifecycleEvent:
    event_id: str  # ULID
    mark_uri: str
    biz_step: str  # a CBV business step, or an ipfed: term
    action: str  # ADD, OBSERVE or DELETE
    event_time: datetime
    org: str
    disposition: str | None = None
    unit_serial: str | None = None
    place: str | None = None
    region_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _vocabulary(term: str) -> str:
    """CBV terms are bare words; ours become full URIs so they are never mistaken for CBV."""
    return IPFED_VOCABULARY + term.removeprefix("ipfed:") if term.startswith("ipfed:") else term


def object_event(event: LifecycleEvent) -> dict[str, Any]:
    epc = event.mark_uri + (f"/units/{event.unit_serial}" if event.unit_serial else "")
    document: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": UUID(bytes=ULID.from_str(event.event_id).bytes).urn,
        "eventTime": event.event_time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "eventTimeZoneOffset": CHINA_OFFSET,
        "epcList": [epc],
        "action": event.action,
        "bizStep": _vocabulary(event.biz_step),
        "ipfed:organisation": event.org,
    }
    if event.disposition is not None:
        document["disposition"] = _vocabulary(event.disposition)
    if event.latitude is not None and event.longitude is not None:
        document["readPoint"] = {"id": f"geo:{event.latitude:.6f},{event.longitude:.6f}"}
    if event.region_code is not None:
        document["bizLocation"] = {"id": f"{IPFED_VOCABULARY}region/{event.region_code}"}
    if event.place is not None:
        document["ipfed:place"] = event.place
    document.update({f"ipfed:{key}": value for key, value in sorted(event.detail.items())})
    return document


def epcis_document(events: list[LifecycleEvent], created: datetime) -> dict[str, Any]:
    return {
        "@context": [EPCIS_CONTEXT, {"ipfed": IPFED_VOCABULARY}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "epcisBody": {"eventList": [object_event(e) for e in events]},
    }
