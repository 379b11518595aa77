"""Verify electronic IP marks: offline from the trust bundle and cached status lists,
or online, refreshing the issuer's status lists first.

    verifier = Verifier(TrustBundle.from_json(open("trust-bundle.json").read()))
    mark = verifier.verify(scanned, product_class=25, seller="91310000...", online=True)

Status lists are fetched only from the node URL the issuing office's certificate names
(in the trust bundle), never from the host printed in a scanned QR code, and a list
older than the one held is refused: a QR naming another host cannot serve an old list.

``verify`` returns the verified facts or raises one precise
:class:`~ipfed.registry.errors.VerificationError` subclass.
"""

import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

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
    StatusListRollback,
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
    node_url: str | None  # the host printed with the token, if it came as a URL: not trusted


@dataclass(frozen=True)
class _StatusList:
    document: StatusListDocument
    bits: bytes


class StatusFetcher(Protocol):
    """Transport for status lists; a caller can replace it (proxy, cache, test double)."""

    def fetch(self, url: str, timeout: float) -> bytes:
        """The body at ``url``; raises OSError (or StatusUnavailable) when unavailable."""
        ...


class UrllibFetcher:
    def fetch(self, url: str, timeout: float) -> bytes:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: bytes = response.read()
        return body


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
        fetcher: StatusFetcher | None = None,
        timeout: float = 5.0,
    ) -> None:
        """Status lists are kept in ``cache_dir`` and fetched through ``fetcher``."""
        self.bundle = bundle
        self.cache_dir = cache_dir
        self.fetcher: StatusFetcher = fetcher or UrllibFetcher()
        self.timeout = timeout
        self._by_prefix = {bytes.fromhex(k)[:KID_BYTES]: k for k in bundle.by_key_id}
        self._lists: dict[tuple[str, StatusPurpose], _StatusList] = {}
        if cache_dir is not None:
            for path in sorted(cache_dir.glob("*.status.json")):
                self.load_status(StatusListDocument.model_validate_json(path.read_bytes()))

    # --- status lists ------------------------------------------------------

    def load_status(self, document: StatusListDocument) -> None:
        """Check a status list's signature and keep it; one older than the list held
        (by its issue time) is refused, the same one again changes nothing."""
        try:
            self.bundle.verify(
                document.issuer, document.signed_bytes(), document.signature, document.valid_from
            )
        except UntrustedIdentity as exc:
            raise StatusUnavailable(f"the status list does not verify: {exc.message}") from None
        key = (document.issuer, document.status_purpose)
        held = self._lists.get(key)
        if held is not None and held.document.valid_from > document.valid_from:
            raise StatusListRollback(
                f"the {document.status_purpose} list issued at "
                f"{document.valid_from.isoformat()} is older than the one held, issued at "
                f"{held.document.valid_from.isoformat()}"
            )
        if held is not None and held.document.valid_from == document.valid_from:
            return
        self._lists[key] = _StatusList(document, decode_bits(document.encoded_list))
        if self.cache_dir is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            name = f"{document.issuer}-{document.status_purpose}.status.json"
            (self.cache_dir / name).write_text(document.model_dump_json(by_alias=True))

    def refresh(self, key_id: str) -> None:
        """Fetch and load every status list of the office holding ``key_id``, from the
        node URL its certificate names."""
        node_url = self.bundle.node_url(key_id)
        if node_url is None:
            raise StatusUnavailable(
                "the trust bundle names no node for the issuing office: online status is "
                "unavailable (its certificate was issued without a node URL)"
            )
        for purpose in StatusPurpose:
            url = node_url.rstrip("/") + STATUS_LIST_PATH + purpose
            try:
                document = StatusListDocument.model_validate_json(
                    self.fetcher.fetch(url, self.timeout)
                )
            except (OSError, urllib.error.URLError, ValidationError) as exc:
                raise StatusUnavailable(f"cannot fetch {url}: {exc}") from None
            if document.issuer != key_id:
                raise StatusUnavailable(f"{url} serves the status list of another office")
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
            self.refresh(token.key_id)  # never token.node_url: a QR may name any host
        checked_at = self._check_status(token.key_id, token.claims.status_index, now)
        check_use(token.claims, product_class, seller)
        return VerifiedMark(token.claims, token.issuer, checked_at)

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
