"""Failed API keys slow their senders down.

After ``auth_failure_limit`` requests within ``auth_failure_window_seconds`` (node
settings: 10 in 60 s unless configured) that presented an API key and were answered
401 (an unknown or revoked key), from one address or with one key from anywhere,
further requests presenting a key from that address, or that key, are answered 429
with Retry-After until the window has room again. The check comes before any other
work: no body is read, no database is asked. Requests without a key (health, the
public status and verification pages) are never throttled.

Counts live in the node process's memory: a node is one process, and a restart
forgetting them is harmless. Behind a reverse proxy the address is the one uvicorn
reports (see its ``--forwarded-allow-ips``).
"""

import hashlib
import json
import logging
import math
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

CAPACITY = 10_000  # senders remembered at most; the oldest are forgotten first


class FailureLog:
    """The times of recent failures per sender, bounded in memory."""

    def __init__(self, limit: int, window: float, capacity: int = CAPACITY) -> None:
        self.limit = limit
        self.window = window
        self.capacity = capacity
        self._times: dict[str, list[float]] = {}

    def retry_after(self, sender: str, now: float) -> float:
        """Seconds until ``sender`` may try again; 0 when it may now."""
        times = self._times.get(sender, [])
        if len(times) < self.limit:
            return 0.0
        return max(0.0, times[0] + self.window - now)

    def record(self, sender: str, now: float) -> None:
        recent = [t for t in self._times.pop(sender, []) if t > now - self.window]
        # Re-inserted: the dict runs from the sender quiet the longest to the latest.
        self._times[sender] = [*recent, now][-self.limit :]
        if len(self._times) > self.capacity:
            self._forget(now)

    def _forget(self, now: float) -> None:
        """Drop the senders whose failures have left the window and, if that is not
        enough, the quietest down to half the capacity: rarely, so failures stay cheap."""
        self._times = {s: t for s, t in self._times.items() if t[-1] > now - self.window}
        for sender in list(self._times)[: max(0, len(self._times) - self.capacity // 2)]:
            del self._times[sender]


def presented_key(scope: Scope) -> bytes | None:
    """The API key a request presents (X-API-Key, or an Authorization bearer token)."""
    bearer = None
    for name, value in scope["headers"]:
        if name == b"x-api-key":
            return bytes(value) or None
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            bearer = value[7:].strip()
    return bearer or None


class KeyThrottle:
    """ASGI middleware: 429 for senders of too many failed API keys."""

    def __init__(self, app: ASGIApp, max_failures: int, window: float) -> None:
        self.app = app
        self.failures = FailureLog(max_failures, window)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = presented_key(scope) if scope["type"] == "http" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        # The key is remembered by its digest: no secret, valid or not, stays in memory.
        senders = (f"address {address}", f"key {hashlib.sha256(key).hexdigest()[:32]}")
        wait = max(self.failures.retry_after(sender, time.monotonic()) for sender in senders)
        if wait > 0:
            await _refuse(send, math.ceil(wait))
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                now = time.monotonic()
                for sender in senders:
                    self.failures.record(sender, now)
                    if self.failures.retry_after(sender, now):
                        log.warning("%s throttled after failed API keys", sender)
            await send(message)

        await self.app(scope, receive, watch)


async def _refuse(send: Send, seconds: int) -> None:
    detail = f"too many failed API keys; retry in {seconds} s"
    body = json.dumps({"error": "too_many_failed_keys", "detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(seconds).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
