"""API keys: issued once, stored only as a SHA-256 hash, bound to an organisation and a role."""

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.nodes.auth.models import ApiKey, Role
from ipfed.nodes.database.core import utcnow
from ipfed.nodes.errors import NotFound, Unauthenticated

KEY_PREFIX = "ipf_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(*, db: Session, org: str, role: Role) -> tuple[ApiKey, str]:
    """A new key; the secret is returned here and never again."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(org=org, role=role, prefix=secret[:12], key_hash=_digest(secret))
    db.add(key)
    db.flush()
    return key, secret


def authenticate(*, db: Session, secret: str) -> ApiKey:
    digest = _digest(secret)
    key = db.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    # The lookup is by hash; compare again in constant time for good measure.
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        raise Unauthenticated("unknown API key", code="invalid_api_key")
    if key.revoked_at is not None:
        raise Unauthenticated("this API key has been revoked", code="revoked_api_key")
    return key


def revoke_api_key(*, db: Session, prefix: str) -> ApiKey:
    key = db.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise NotFound(f"no API key {prefix}…", code="api_key_not_found")
    key.revoked_at = key.revoked_at or utcnow()
    return key


def list_api_keys(*, db: Session) -> Sequence[ApiKey]:
    return db.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()
