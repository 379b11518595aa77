"""Registry figures on this machine, printed, with a JSON object of them last.

- offline mark verifications per second on one core (signature, issuer, validity,
  both status lists, scope and seller; target >= 7,000/s), beside the raw P-256
  verify rate of ``cryptography``;
- online status checks per second against a running node process, and their p50/p99
  latency (target >= 3,000 req/s with p99 <= 20 ms);
- token, URL and QR sizes.

    python bench/registry_bench.py [--marks 2000] [--seconds 10] [--connections 16]
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from rich.progress import track

from ipfed.ledger.identity import CertificateAuthority, Organisation, Role, generate_key
from ipfed.ledger.keystore import write_certificate, write_private_key
from ipfed.ledger.trust import TrustBundle
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.marks.issuing import issue_mark, issue_units
from ipfed.nodes.marks.lookup import mark_url
from ipfed.nodes.marks.schemas import MarkIn
from ipfed.nodes.marks.status import status_list
from ipfed.nodes.rights.models import RightStatus, Trademark, nice_class_mask
from ipfed.registry.qr import qr_png, qr_svg, qr_version
from ipfed.registry.status_list import StatusPurpose
from ipfed.sdk import Verifier

HOLDER = "91310115MA1FL3QX0F"
PORT = 8791


def build_node(
    folder: Path, marks: int
) -> tuple[NodeSettings, list[str], list[str], list[str], Verifier]:
    """A Shanghai node with ``marks`` trademark marks and a batch of unit codes."""
    authority = CertificateAuthority.create()
    key = generate_key()
    organisation = Organisation("上海市知识产权局", Role.REGIONAL, "310000")
    certificate = authority.issue(organisation, key.public_key())
    settings = NodeSettings(
        node_id="sh",
        role="regional",
        region_code="310000",
        org_name=organisation.name,
        data_dir=folder,
        http_port=PORT,
        public_url="https://310000.ipfed.cn",
        ledger_sync_seconds=0,
        marks_follow_seconds=0,
    )
    settings.identity_dir.mkdir(parents=True)
    write_private_key(settings.identity_dir / "org.key", key)
    write_certificate(settings.identity_dir / "org.pem", certificate)
    bundle = TrustBundle(authority.certificate, [certificate])
    (settings.identity_dir / "trust-bundle.json").write_text(bundle.to_json(), encoding="utf-8")
    settings.save()
    engine = make_engine(settings.db_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    today = datetime.now(UTC).date()
    ids, tokens = [], []
    with transaction(sessions) as db:
        right = Trademark(
            number="4410392",
            name="回力 WARRIOR",
            holder="上海回力鞋业有限公司",
            status=RightStatus.GRANTED,
            expiry_date=today + timedelta(days=800),
            nice_class_mask=nice_class_mask([25, 28]),
        )
        db.add(right)
        db.flush()
        request = MarkIn(right_id=right.id, holder_uscc=HOLDER)
        for _ in track(range(marks), description="issuing marks", console=None):
            mark = issue_mark(db=db, settings=settings, request=request, today=today)
            ids.append(mark.id)
            tokens.append(mark.token)
        _, units = issue_units(
            db=db, settings=settings, mark=mark, batch_number="B1", quantity=1000, by="bench"
        )
        verifier = Verifier(bundle)
        for purpose in StatusPurpose:
            now = datetime.now(UTC)
            verifier.load_status(status_list(db=db, settings=settings, purpose=purpose, now=now))
    engine.dispose()
    return settings, ids, tokens, [u.token for u in units], verifier


def offline_rate(verifier: Verifier, tokens: list[str], seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for token in tokens[:500]:
            verifier.verify(token, product_class=25, seller=HOLDER)
        done += 500
    return done / (time.perf_counter() - started)


def raw_p256_rate(seconds: float) -> float:
    key = ec.generate_private_key(ec.SECP256R1())
    public, message = key.public_key(), b"x" * 120
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(500):
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        done += 500
    return done / (time.perf_counter() - started)


async def online_load(ids: list[str], seconds: float, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    base = f"http://127.0.0.1:{PORT}/marks/"
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(stop: float) -> None:
            nonlocal failures
            while time.perf_counter() < stop:
                started = time.perf_counter()
                async with session.get(base + random.choice(ids) + "/status") as response:
                    await response.read()
                    if response.status != 200:
                        failures += 1
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker(time.perf_counter() + 1) for _ in range(connections)))
        latencies.clear()  # warm-up
        started = time.perf_counter()
        stop = started + seconds
        await asyncio.gather(*(worker(stop) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "online_status_checks_per_s": round(len(latencies) / elapsed),
        "online_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "online_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "online_failures": failures,
    }


def serve(folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IPFED_LEDGER_SYNC_SECONDS": "0", "IPFED_MARKS_FOLLOW_SECONDS": "0"}
    command = [sys.executable, "-m", "ipfed.nodes", "node", "run", "-d", str(folder)]
    process = subprocess.Popen(command, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the node did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--marks", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings, ids, mark_tokens, unit_tokens, verifier = build_node(folder, args.marks)
        tokens = mark_tokens + unit_tokens
        random.shuffle(tokens)
        figures: dict[str, float] = {}
        figures["offline_verifications_per_s"] = round(offline_rate(verifier, tokens, 5))
        figures["raw_p256_verifies_per_s"] = round(raw_p256_rate(3))
        print(
            f"offline: {figures['offline_verifications_per_s']:,}/s on one core "
            f"(raw P-256 verify: {figures['raw_p256_verifies_per_s']:,}/s)"
        )
        unit_token = unit_tokens[0]
        url = mark_url(settings=settings, token=unit_token)
        figures.update(
            {
                "mark_token_chars": len(mark_tokens[0]),
                "unit_token_chars": len(unit_token),
                "unit_url_chars": len(url),
                "qr_version": qr_version(url),
                "qr_modules_per_side": 17 + 4 * qr_version(url),
                "qr_png_bytes": len(qr_png(url)),
                "qr_svg_bytes": len(qr_svg(url)),
            }
        )
        print(
            f"tokens: mark {figures['mark_token_chars']} chars, unit {len(unit_token)} chars; "
            f"unit URL {len(url)} chars -> QR version {figures['qr_version']} (ECC M)"
        )
        process = serve(folder)
        try:
            online = asyncio.run(online_load(ids, args.seconds, args.connections))
        finally:
            process.terminate()
            process.wait(10)
        figures.update(online)
        print(
            f"online: {online['online_status_checks_per_s']:,} status checks/s, "
            f"p50 {online['online_p50_ms']} ms, p99 {online['online_p99_ms']} ms "
            f"({args.connections} connections)"
        )
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
