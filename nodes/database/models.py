"""Every domain's models, imported once so that the metadata is complete."""

from ipfed.nodes.accounts.models import AccessRecord, Account, ConsoleSession
from ipfed.nodes.adjudications.models import Adjudication
from ipfed.nodes.auth.models import ApiKey
from ipfed.nodes.database.core import Base
from ipfed.nodes.detection.models import (
    DetectionTask,
    Evidence,
    EvidenceImage,
    Lead,
    MonitoringEntry,
    Review,
)
from ipfed.nodes.exchange.models import (
    Addressee,
    InboxEnvelope,
    OutboxDelivery,
    OutboxEnvelope,
    PeerLink,
)
from ipfed.nodes.fairs.models import Exhibit, Exhibitor, Fair
from ipfed.nodes.filings.models import Filing, FilingReceipt
from ipfed.nodes.jobs.models import Job
from ipfed.nodes.ledger.models import LogEntry, LogNode, StateEntry, StoredCheckpoint
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.marks.models import (
    CloneAlert,
    Mark,
    MarkEvent,
    SuspectReport,
    UnitBatch,
    UnitCheck,
    UnitCode,
)
from ipfed.nodes.participants.models import Participant, Shop
from ipfed.nodes.privacy.models import Erasure
from ipfed.nodes.products.models import KeyProduct
from ipfed.nodes.queue.models import Claim
from ipfed.nodes.rights.models import (
    DesignImage,
    GeographicalIndication,
    Patent,
    Right,
    Trademark,
)
from ipfed.nodes.witness.models import Alarm, KnownCheckpoint

metadata = Base.metadata

__all__ = [
    "AccessRecord",
    "Account",
    "Addressee",
    "Adjudication",
    "Alarm",
    "ApiKey",
    "Claim",
    "CloneAlert",
    "ConsoleSession",
    "DesignImage",
    "DetectionTask",
    "Erasure",
    "Evidence",
    "EvidenceImage",
    "Exhibit",
    "Exhibitor",
    "Fair",
    "Filing",
    "FilingReceipt",
    "GeographicalIndication",
    "InboxEnvelope",
    "Job",
    "KeyProduct",
    "KnownCheckpoint",
    "Lead",
    "Licence",
    "Listing",
    "LogEntry",
    "LogNode",
    "Mark",
    "MarkEvent",
    "MonitoringEntry",
    "OutboxDelivery",
    "OutboxEnvelope",
    "Participant",
    "Patent",
    "PeerLink",
    "Review",
    "Right",
    "Shop",
    "StateEntry",
    "StoredCheckpoint",
    "SuspectReport",
    "Trademark",
    "UnitBatch",
    "UnitCheck",
    "UnitCode",
    "metadata",
]
