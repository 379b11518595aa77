"""Client library for platforms, fairs and other nodes.

Imports only the base install (pydantic, cryptography, cbor2): a platform
verifying marks never pulls in the node's server dependencies.
"""

from ipfed.ledger.trust import TrustBundle
from ipfed.registry.credential import Claims, RightType
from ipfed.registry.errors import (
    BadSignature,
    MalformedToken,
    MarkExpired,
    MarkRevoked,
    MarkSuspended,
    NotYetValid,
    OutOfScope,
    RevokedIssuer,
    StaleStatusList,
    StatusListRollback,
    StatusUnavailable,
    UnknownIssuer,
    UnlicensedSeller,
    VerificationError,
)
from ipfed.sdk.verify import StatusFetcher, UrllibFetcher, VerifiedMark, Verifier, split_url

__all__ = [
    "BadSignature",
    "Claims",
    "MalformedToken",
    "MarkExpired",
    "MarkRevoked",
    "MarkSuspended",
    "NotYetValid",
    "OutOfScope",
    "RevokedIssuer",
    "RightType",
    "StaleStatusList",
    "StatusFetcher",
    "StatusListRollback",
    "StatusUnavailable",
    "TrustBundle",
    "UnknownIssuer",
    "UnlicensedSeller",
    "UrllibFetcher",
    "VerificationError",
    "VerifiedMark",
    "Verifier",
    "split_url",
]
