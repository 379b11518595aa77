"""People's accounts: created by the node's own office, passwords hashed with Argon2id,
an optional TOTP second factor, and lockout after repeated failed sign-ins.

A failed sign-in says only that it failed: never whether the account exists, is
disabled or locked, or which of password and code was wrong.
"""

import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipfed.ledger.identity import OFFICES, Role
from ipfed.nodes.accounts.models import Account
from ipfed.nodes.accounts.sessions import end_sessions_of
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.errors import Conflict, InvalidInput, NotFound, Unauthenticated

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
TOTP_SECRET = re.compile(r"[A-Z2-7]{26,64}")
MIN_PASSWORD = 10
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified against when no account has the name, so both answers take as long.
_NOBODY = _hasher.hash(secrets.token_urlsafe(16))


class SignInFailed(Unauthenticated):
    code = "sign_in_failed"

    def __init__(self) -> None:
        super().__init__("wrong username, password or code, or the account cannot sign in now")


def generate_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"a password has at least {MIN_PASSWORD} characters", code="weak_password"
        )


def add_account(
    *, db: Session, username: str, name: str, org: str, role: Role, password: str | None = None
) -> tuple[Account, str]:
    """A new account; its first password (given, or generated) is returned once."""
    if not USERNAME.match(username):
        raise InvalidInput(
            "a username is 3-64 lower-case letters, digits, '.', '_' or '-'",
            code="invalid_username",
        )
    if not name.strip() or not org.strip():
        raise InvalidInput("a person has a name and an organisation", code="invalid_account")
    if db.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise Conflict(f"the username {username} is taken", code="username_taken")
    password = password or generate_password()
    _check_password(password)
    account = Account(
        username=username,
        name=name.strip(),
        org=org.strip(),
        role=role,
        password_hash=_hasher.hash(password),
        pseudonym=secrets.token_hex(16),
        failed_sign_ins=0,
    )
    db.add(account)
    db.flush()
    return account, password


def list_accounts(*, db: Session, org: str | None = None) -> Sequence[Account]:
    query = select(Account).order_by(Account.username)
    return db.scalars(query.where(Account.org == org) if org else query).all()


def get_account(*, db: Session, username: str, org: str | None = None) -> Account:
    """The account named ``username`` (of ``org``, when given)."""
    account = db.scalar(select(Account).where(Account.username == username))
    if account is None or (org is not None and account.org != org):
        raise NotFound(f"no account {username}", code="account_not_found")
    return account


def disable_account(*, db: Session, account: Account, now: datetime) -> Account:
    """The account signs in no more; its sessions end now."""
    account.disabled_at = account.disabled_at or now
    end_sessions_of(db=db, account_id=account.id, now=now)
    return account


def reset_account(
    *, db: Session, account: Account, now: datetime, clear_totp: bool = False
) -> tuple[Account, str]:
    """A new password (returned once), the lock lifted, every session ended; with
    ``clear_totp``, the second factor too (a lost phone)."""
    password = generate_password()
    account.password_hash = _hasher.hash(password)
    account.failed_sign_ins = 0
    account.locked_until = None
    if clear_totp:
        account.totp_secret = None
    end_sessions_of(db=db, account_id=account.id, now=now)
    return account, password


def requires_totp(settings: NodeSettings, account: Account) -> bool:
    return settings.require_totp_for_offices and account.role in OFFICES


def is_locked(account: Account, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def sign_in(
    *,
    db: Session,
    settings: NodeSettings,
    username: str,
    password: str,
    code: str | None,
    now: datetime,
) -> Account:
    """The account whose password (and code, once enrolled) these are, or SignInFailed.

    Every failure of a known account counts towards its lock, a locked account's too;
    ``sign_in_failure_limit`` failures in a row lock it for ``sign_in_lockout_minutes``.
    """
    account = db.scalar(select(Account).where(Account.username == username.strip().lower()))
    good = _verify(account.password_hash if account else _NOBODY, password)
    if account is None:
        raise SignInFailed()
    step = None
    if account.totp_secret is not None:
        step = code_step(account.totp_secret, code or "", now)
        last = account.totp_last_step
        good = good and step is not None and (last is None or step > last)
    if not good or is_locked(account, now) or account.disabled_at is not None:
        if not is_locked(account, now):
            account.failed_sign_ins += 1
            if account.failed_sign_ins >= settings.sign_in_failure_limit:
                account.locked_until = now + timedelta(minutes=settings.sign_in_lockout_minutes)
                account.failed_sign_ins = 0
        raise SignInFailed()
    account.failed_sign_ins = 0
    account.locked_until = None
    account.last_sign_in_at = now
    account.totp_last_step = step if step is not None else account.totp_last_step
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return account


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- the second factor -----------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(*, account: Account, secret: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=issuer)


def code_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step whose 6-digit code ``code`` is: that of ``now``, or a step
    either side (clocks drift); None if it is none of them."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def is_totp_secret(secret: str) -> bool:
    """A base32 key of 128 to 320 bits (the authenticator apps' range)."""
    return TOTP_SECRET.fullmatch(secret) is not None


def enrol_totp(*, account: Account, secret: str, code: str, now: datetime) -> Account:
    """Turn the second factor on, once the person shows a code of the new key."""
    if not is_totp_secret(secret):
        raise InvalidInput("not a key of ours; start again", code="totp_key_invalid")
    step = code_step(secret, code, now)
    if step is None:
        raise InvalidInput("the code does not match the key", code="totp_code_wrong")
    account.totp_secret, account.totp_last_step = secret, step
    return account
