"""Exchange figures between two node processes on loopback, printed, with a JSON
object of them last.

A Zhejiang node sends case filings to the national node over ZeroMQ with CURVE.
Each message is signed and stored in Zhejiang's outbox (here, by this script,
as `ipfed exchange send` would), carried in batches, verified and stored in
the national node's inbox and acknowledged back, on SQLite in WAL mode.

- messages per second signed, durably stored at both ends and acknowledged:
  end to end (queued while delivering, from the first queued to the last
  acknowledged; target >= 2,000 msg/s), and split into its two halves: signed
  and queued alone, and delivered from a full outbox;
- delivery latency at a steady 500 msg/s, queued to acknowledged:
  p50 and p99 (target p99 <= 100 ms).

    python bench/exchange_bench.py [--messages 20000] [--rate 500] [--seconds 20]
"""

import argparse
import json
import os
import socket
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from node_process import start
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from ulid import ULID

from ipfed.exchange.messages import FilingSubmission
from ipfed.ledger.identity import Organisation, Role
from ipfed.ledger.keystore import AuthorityDirectory, write_certificate, write_private_key
from ipfed.nodes.config import NodeRole, NodeSettings, Peer
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.exchange.models import DeliveryState, OutboxDelivery
from ipfed.nodes.exchange.network import Network
from ipfed.nodes.exchange.service import send_all
from ipfed.nodes.identity import node_identity

NODES = {
    "national": ("国家知识产权局", NodeRole.NATIONAL, "100000"),
    "zj": ("浙江省知识产权局", NodeRole.REGIONAL, "330000"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_nodes(folder: Path) -> dict[str, NodeSettings]:
    authority = AuthorityDirectory.create(folder / "ca")
    ports = {n: (free_port(), free_port()) for n in NODES}
    nodes = {}
    for node_id, (org, role, region) in NODES.items():
        other = next(n for n in NODES if n != node_id)
        settings = NodeSettings(
            node_id=node_id,
            role=role,
            region_code=region,
            org_name=org,
            data_dir=folder / node_id,
            http_port=ports[node_id][0],
            exchange_endpoint=f"tcp://127.0.0.1:{ports[node_id][1]}",
            ledger_sync_seconds=0,
            peers=[
                Peer(
                    node_id=other,
                    role=NODES[other][1],
                    region_code=NODES[other][2],
                    api_url=f"http://127.0.0.1:{ports[other][0]}",
                    exchange_endpoint=f"tcp://127.0.0.1:{ports[other][1]}",
                )
            ],
        )
        settings.identity_dir.mkdir(parents=True)
        settings.save()
        upgrade(make_engine(settings.db_url))
        key, certificate = authority.issue(Organisation(org, Role(role.value), region))
        write_private_key(settings.identity_dir / "org.key", key)
        write_certificate(settings.identity_dir / "org.pem", certificate)
        nodes[node_id] = settings
    bundle = authority.bundle().to_json()
    for settings in nodes.values():
        (settings.identity_dir / "trust-bundle.json").write_text(bundle, encoding="utf-8")
    return nodes


def filing(n: int) -> FilingSubmission:
    return FilingSubmission(
        filing_id=str(ULID()),
        kind="case",
        period="2026-11",
        title=f"案件备案 {n}",
        document_sha256=f"{n:064x}",
        content={"n": n, "summary": "经营者在电商平台销售侵犯注册商标专用权的商品"},
    )


def queue(sessions: sessionmaker[Session], network: Network, first: int, count: int) -> None:
    with transaction(sessions) as db:
        messages = [(filing(n), None) for n in range(first, first + count)]
        send_all(db=db, network=network, messages=messages, now=datetime.now(UTC))


def acknowledged(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as db:
        return int(
            db.scalar(select(func.count()).where(OutboxDelivery.state == DeliveryState.DELIVERED))
            or 0
        )


def wait_acknowledged(sessions: sessionmaker[Session], total: int) -> None:
    deadline = time.monotonic() + 600
    while acknowledged(sessions) < total:
        if time.monotonic() > deadline:
            raise SystemExit("messages were not all acknowledged")
        time.sleep(0.005)


def queue_rate(sessions: sessionmaker[Session], network: Network, count: int) -> float:
    """Signed and stored in the outbox per second, with nothing else running."""
    started = time.perf_counter()
    for first in range(0, count, 500):
        queue(sessions, network, first, min(500, count - first))
    return count / (time.perf_counter() - started)


def drain_rate(sessions: sessionmaker[Session], count: int) -> float:
    """Carried, verified, stored and acknowledged per second, from a full outbox."""
    wait_acknowledged(sessions, count)
    with transaction(sessions) as db:
        first, last = db.execute(
            select(func.min(OutboxDelivery.delivered_at), func.max(OutboxDelivery.delivered_at))
        ).one()
        first_batch = db.scalar(select(func.count()).where(OutboxDelivery.delivered_at == first))
    assert first is not None and last is not None
    return (count - (first_batch or 0)) / max((last - first).total_seconds(), 1e-6)


def throughput(sessions: sessionmaker[Session], network: Network, count: int, done: int) -> float:
    """Signed, stored, carried, verified, stored and acknowledged per second, end to end:
    from the first message queued to the last acknowledged, queueing as fast as it can."""
    started = time.perf_counter()
    for first in range(done, done + count, 500):
        queue(sessions, network, first, min(500, done + count - first))
    wait_acknowledged(sessions, done + count)
    return count / (time.perf_counter() - started)


def latency(
    sessions: sessionmaker[Session], network: Network, rate: int, seconds: float, done: int
) -> list[float]:
    """Queue ``rate`` messages a second in 10 ms steps; milliseconds queued -> acknowledged."""
    step, per_step = 0.01, max(1, rate // 100)
    total = int(rate * seconds) // per_step * per_step
    started = time.perf_counter()
    for i in range(total // per_step):
        queue(sessions, network, done + i * per_step, per_step)
        pause = started + (i + 1) * step - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    wait_acknowledged(sessions, done + total)
    with transaction(sessions) as db:
        rows = db.execute(
            select(OutboxDelivery.queued_at, OutboxDelivery.delivered_at)
            .order_by(OutboxDelivery.seq)
            .offset(done)
        ).all()
    return [(acked - queued).total_seconds() * 1000 for queued, acked in rows if acked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=500, help="messages per second, latency run")
    parser.add_argument("--seconds", type=float, default=20, help="length of the latency run")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        nodes = make_nodes(Path(tmp))
        zj = nodes["zj"]
        sessions = {n: make_session_factory(make_engine(s.db_url)) for n, s in nodes.items()}
        network = Network.of(zj, node_identity(zj))
        count = args.messages
        queued = queue_rate(sessions["zj"], network, count)
        print(f"signed and queued alone:       {queued:>8,.0f} msg/s")
        processes = [start(settings) for settings in nodes.values()]
        try:
            drained = drain_rate(sessions["zj"], count)
            print(f"delivered from a full outbox:  {drained:>8,.0f} msg/s")
            rate = throughput(sessions["zj"], network, count, count)
            print(f"signed, delivered, acked:      {rate:>8,.0f} msg/s (end to end)")
            times = latency(sessions["zj"], network, args.rate, args.seconds, 2 * count)
            cuts = statistics.quantiles(times, n=100)
            p50, p99 = cuts[49], cuts[98]
            print(
                f"latency at {args.rate} msg/s:         p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                f"max {max(times):.1f} ms ({len(times):,} messages)"
            )
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=15)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(
        json.dumps(
            {
                "end_to_end_msgs_per_s": round(rate),
                "delivered_from_outbox_msgs_per_s": round(drained),
                "signed_and_queued_msgs_per_s": round(queued),
                "latency_rate_msgs_per_s": args.rate,
                "p50_ms": round(p50, 1),
                "p99_ms": round(p99, 1),
                "messages": args.messages,
            }
        )
    )


if __name__ == "__main__":
    main()
