"""Verify electronic IP marks: offline from the trust bundle and cached status lists,
or online, refreshing the issuer's status lists first.

    verifier = Verifier(TrustBundle.from_json(open("trust-bundle.json").read()))
    verifier.refresh("https://310000.ipfed.cn")            # or load_status(document)
    mark = verifier.verify(scanned, product_class=25, seller="91310000...")

``verify`` returns the verified facts or raises one precise
:class:`~ipfed.registry.errors.VerificationError` subclass.
"""

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from ipfed.ledger.identity import OFFICES, Organisation, UntrustedIdentity
from ipfed.ledger.identity import BadSignature as BadLedgerSignature
from ipfed.ledger.trust import TrustBundle
from ipfed.registry.credential import KID_BYTES, Claims, parse_token
from ipfed.registry.errors import (
    BadSignature,
    MarkRevoked,
    MarkSuspended,
    RevokedIssuer,
    StaleStatusList,
    StatusUnavailable,
    UnknownIssuer,
)
from ipfed.registry.lifecycle import check_use, check_validity
from ipfed.registry.status_list import StatusListDocument, StatusPurpose, decode_bits, is_set

VERIFY_PATH = "/v/"  # the public verification page: <node URL>/v/<token>
STATUS_LIST_PATH = "/status-lists/"  # <node URL>/status-lists/<purpose>


@dataclass(frozen=True)
class VerifiedMark:
    claims: Claims
    issuer: Organisation
    status_checked_at: datetime  # when the status list used was issued


@dataclass(frozen=True)
class Authenticated:
    claims: Claims
    issuer: Organisation
    key_id: str
    node_url: str | None  # where the token was scanned from, if it came as a URL


@dataclass(frozen=True)
class _StatusList:
    document: StatusListDocument
    bits: bytes


def split_url(scanned: str) -> tuple[str | None, str]:
    """(issuing node's URL or None, token) of a scanned QR text or a bare token."""
    head, found, token = scanned.strip().rpartition(VERIFY_PATH)
    if found and head.startswith(("https://", "http://")):
        return head, token
    return None, scanned.strip()


class Verifier:
    def __init__(
        self,
        bundle: TrustBundle,
        *,
        cache_dir: Path | None = None,
        nodes: Mapping[str, str] | None = None,
        timeout: float = 5.0,
    ) -> None:
        """``nodes`` maps an office's key id to its node URL, for online refreshes of
        tokens scanned without their URL. Status lists are kept in ``cache_dir``."""
        self.bundle = bundle
        self.cache_dir = cache_dir
        self.nodes = dict(nodes or {})
        self.timeout = timeout
        self._by_prefix = {bytes.fromhex(k)[:KID_BYTES]: k for k in bundle.by_key_id}
        self._lists: dict[tuple[str, StatusPurpose], _StatusList] = {}
        if cache_dir is not None:
            for path in sorted(cache_dir.glob("*.status.json")):
                self.load_status(StatusListDocument.model_validate_json(path.read_bytes()))

    # --- status lists ------------------------------------------------------

    def load_status(self, document: StatusListDocument) -> None:
        """Check a status list's signature and keep it (the newer of two wins)."""
        try:
            self.bundle.verify(
                document.issuer, document.signed_bytes(), document.signature, document.valid_from
            )
        except UntrustedIdentity as exc:
            raise StatusUnavailable(f"the status list does not verify: {exc.message}") from None
        key = (document.issuer, document.status_purpose)
        held = self._lists.get(key)
        if held is not None and held.document.valid_from >= document.valid_from:
            return
        self._lists[key] = _StatusList(document, decode_bits(document.encoded_list))
        if self.cache_dir is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            name = f"{document.issuer}-{document.status_purpose}.status.json"
            (self.cache_dir / name).write_text(document.model_dump_json(by_alias=True))

    def refresh(self, node_url: str) -> None:
        """Fetch and load every status list an issuing node publishes."""
        for purpose in StatusPurpose:
            url = node_url.rstrip("/") + STATUS_LIST_PATH + purpose
            try:
                with urllib.request.urlopen(url, timeout=self.timeout) as response:
                    body = response.read()
                document = StatusListDocument.model_validate_json(body)
            except (OSError, urllib.error.URLError, ValidationError) as exc:
                raise StatusUnavailable(f"cannot fetch {url}: {exc}") from None
            self.load_status(document)

    # --- verification ------------------------------------------------------

    def authenticate(self, scanned: str, at: datetime | None = None) -> Authenticated:
        """Check the token's signature, its issuer and its validity dates; not its status."""
        now = at or datetime.now(UTC)
        node_url, token = split_url(scanned)
        signed = parse_token(token)
        key_id = self._by_prefix.get(signed.kid)
        if key_id is None:
            raise UnknownIssuer("no office of the federation holds the signing key")
        try:
            issuer = self.bundle.verify(key_id, signed.signed_bytes, signed.signature, now)
        except BadLedgerSignature:
            raise BadSignature("the token's signature does not verify") from None
        except UntrustedIdentity as exc:
            raise RevokedIssuer(f"the issuing office is not trusted: {exc.message}") from None
        if issuer.role not in OFFICES:
            raise UnknownIssuer(f"{issuer.name} is not an IP office")
        check_validity(signed.claims, now.date())
        return Authenticated(signed.claims, issuer, key_id, node_url)

    def verify(
        self,
        scanned: str,
        *,
        product_class: int | str | None = None,
        seller: str | None = None,
        at: datetime | None = None,
        online: bool = False,
    ) -> VerifiedMark:
        """Verify a token (or the URL of a QR code) and what it is used for.

        ``product_class``: the Nice class (int) or Locarno class ("25-01") of the goods;
        ``seller``: the unified social credit code of who offers them under the mark.
        """
        now = at or datetime.now(UTC)
        token = self.authenticate(scanned, now)
        if online:
            self.refresh(token.node_url or self._node_of(token.key_id))
        checked_at = self._check_status(token.key_id, token.claims.status_index, now)
        check_use(token.claims, product_class, seller)
        return VerifiedMark(token.claims, token.issuer, checked_at)

    def _node_of(self, key_id: str) -> str:
        try:
            return self.nodes[key_id]
        except KeyError:
            raise StatusUnavailable("no node URL is known for the issuing office") from None

    def _check_status(self, key_id: str, index: int, now: datetime) -> datetime:
        checked_at = now
        for purpose, error in (
            (StatusPurpose.REVOCATION, MarkRevoked),
            (StatusPurpose.SUSPENSION, MarkSuspended),
        ):
            held = self._lists.get((key_id, purpose))
            if held is None:
                raise StatusUnavailable(f"no {purpose} list of the issuing office is cached")
            if now > held.document.valid_until:
                raise StaleStatusList(
                    f"the {purpose} list expired at {held.document.valid_until.isoformat()}"
                )
            if is_set(held.bits, index):
                raise error(f"the mark is {error.code}")
            checked_at = min(checked_at, held.document.valid_from)
        return checked_at
