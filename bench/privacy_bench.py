"""The retention round's throughput: listings past their retention erased per second,
on SQLite and (with --postgres or IPFED_TEST_POSTGRES_URL) PostgreSQL.

Stores N listings, half of them captured two years ago (past the default year for
listings that raised no lead), then runs the round as the node's job runner does,
in batches of 500 per transaction; then runs it again (nothing left: how long a
round costs when there is nothing to do).

    python bench/privacy_bench.py [--listings 200000] [--postgres URL]

The PostgreSQL database is wiped: give it one of your own. The last line printed
is a JSON object of the figures.
"""

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from ulid import ULID

from ipfed.nodes.config import NodeSettings
from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
from ipfed.nodes.database.migrate import upgrade
from ipfed.nodes.listings.models import Channel, Listing
from ipfed.nodes.privacy.scheduled import retention_round


def run(url: str, listings: int, data_dir: Path) -> dict[str, float]:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    old, new = now - timedelta(days=730), now - timedelta(days=30)
    rows = [
        {
            "id": str(ULID()),
            "created_at": now,
            "channel": Channel.ONLINE,
            "source": "taobao",
            "external_id": f"L{i}",
            "url": f"https://item.example.com/L{i}",
            "title": "回カ 帆布鞋 经典款",
            "currency": "CNY",
            "seller": f"义乌市副食批发商行{i % 5000}",
            "seller_shop_id": f"shop-{i % 5000}",
            "image_urls": [],
            "captured_at": old if i % 2 else new,
        }
        for i in range(listings)
    ]
    with transaction(sessions) as db:
        for start in range(0, len(rows), 10_000):
            db.execute(insert(Listing), rows[start : start + 10_000])
    settings = NodeSettings(
        node_id="sh", role="regional", region_code="310000", data_dir=data_dir, database_url=url
    )
    started = time.perf_counter()
    counts = retention_round(settings, sessions)
    seconds = time.perf_counter() - started
    assert counts == {"listings": listings // 2}, counts
    started = time.perf_counter()
    assert retention_round(settings, sessions) == {}
    idle = time.perf_counter() - started
    engine.dispose()
    return {
        "erased": counts["listings"],
        "seconds": round(seconds, 3),
        "erased_per_s": round(counts["listings"] / seconds),
        "idle_round_ms": round(idle * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=200_000)
    parser.add_argument("--postgres", default=os.environ.get("IPFED_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = f"sqlite:///{Path(tmp) / 'node.db'}"
        figures["sqlite"] = run(sqlite, args.listings, Path(tmp))
        print(f"sqlite: {figures['sqlite']}")
        if args.postgres:
            figures["postgresql"] = run(args.postgres, args.listings, Path(tmp))
            print(f"postgresql: {figures['postgresql']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
