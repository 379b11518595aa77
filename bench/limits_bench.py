"""Huge unauthenticated requests against a real node process: its peak memory.

Starts ``ipfed node run`` on SQLite, then sends parallel unauthenticated POSTs of a
large JSON body to ``/detection/screen``, streamed from a generator (the client never
holds a body): first with chunked transfer encoding (the node must count and cut
them off), then with a declared Content-Length (the node must refuse them at once).
Then a normal request with a key, which must still succeed. Prints the node's
resident memory before and its peak (VmHWM in /proc/<pid>/status) after, the
statuses, and a JSON object of the figures last.

    python bench/limits_bench.py [--requests 10] [--mb 400]

Target: ten parallel 400 MB requests leave the node under 500 MB resident.
"""

import argparse
import asyncio
import json
import os
import socket
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from node_process import start

from ipfed.nodes.auth.models import Role
from ipfed.nodes.auth.service import create_api_key
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade

CHUNK = b"x" * (64 << 10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mb(pid: int, field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise SystemExit(f"no {field} for process {pid}")


def node(folder: Path) -> tuple[NodeSettings, str]:
    """A node folder with a migrated database, and an API key of its office."""
    settings = NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name="上海市知识产权局",
        data_dir=folder,
        http_port=free_port(),
        ledger_sync_seconds=0,
        marks_follow_seconds=0,
        filings_round_seconds=0,
        leads_push_seconds=0,
    )
    settings.save()
    engine = make_engine(settings.db_url)
    upgrade(engine)
    with transaction(make_session_factory(engine)) as db:
        _, secret = create_api_key(db=db, org=settings.org_name, role=Role.REGIONAL)
    engine.dispose()
    return settings, secret


async def huge_json(size: int) -> AsyncIterator[bytes]:
    """A valid JSON listing whose title is ``size`` bytes long, made as it is sent."""
    yield b'{"seller": "s", "title": "'
    for _ in range(size // len(CHUNK)):
        yield CHUNK
    yield b'"}'


async def attack(url: str, count: int, size: int, declared: bool) -> tuple[Counter[str], float]:
    """``count`` parallel unauthenticated POSTs of ``size`` bytes: their outcomes, and
    the seconds until the last one ended."""
    length = len(b'{"seller": "s", "title": "') + size // len(CHUNK) * len(CHUNK) + 2
    headers = {"Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(length)
    outcomes: Counter[str] = Counter()
    timeout = httpx.Timeout(300, connect=30)
    async with httpx.AsyncClient(timeout=timeout) as client:

        async def one() -> None:
            try:
                response = await client.post(url, content=huge_json(size), headers=headers)
                outcomes[f"{response.status_code} {response.json().get('error')}"] += 1
            except httpx.HTTPError as exc:
                outcomes[type(exc).__name__] += 1

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(count)))
    return outcomes, round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--mb", type=int, default=400, help="size of each body in MB")
    args = parser.parse_args()
    size = args.mb << 20
    figures: dict[str, object] = {"requests": args.requests, "body_mb": args.mb}
    with tempfile.TemporaryDirectory() as tmp:
        settings, key = node(Path(tmp))
        process = start(settings)
        try:
            url = f"{settings.base_url}/detection/screen"
            figures["rss_before_mb"] = memory_mb(process.pid, "VmRSS")
            for mode, declared in (("chunked", False), ("content_length", True)):
                outcomes, seconds = asyncio.run(attack(url, args.requests, size, declared))
                figures[f"{mode}_statuses"] = dict(outcomes)
                figures[f"{mode}_seconds"] = seconds
                print(f"{args.requests} x {args.mb} MB, {mode}: {dict(outcomes)} in {seconds} s")
            figures["peak_rss_attack_mb"] = memory_mb(process.pid, "VmHWM")
            normal = httpx.post(
                url, json={"title": "回力 运动鞋", "seller": "某店铺"}, headers={"X-API-Key": key}
            )
            figures["normal_request_status"] = normal.status_code
            figures["rss_after_mb"] = memory_mb(process.pid, "VmRSS")
            figures["peak_rss_mb"] = memory_mb(process.pid, "VmHWM")
        finally:
            process.terminate()
            process.wait(15)
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(
        f"node resident: {figures['rss_before_mb']} MB before, peak "
        f"{figures['peak_rss_attack_mb']} MB under the requests, {figures['peak_rss_mb']} MB "
        f"with a normal screen after them ({figures['normal_request_status']}; target < 500 MB)"
    )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
