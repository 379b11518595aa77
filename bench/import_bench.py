"""Bulk-import throughput and peak memory, on SQLite and PostgreSQL.

Generates N trademark rows as CSV, then imports the file with the same code
path as ``ipfed import trademarks FILE``, each backend in a fresh process so
that its peak memory (max RSS) is its own.

    scripts/with-postgres python bench/import_bench.py [--rows 1000000]
    python bench/import_bench.py --postgres URL

The PostgreSQL database (default: IPFED_TEST_POSTGRES_URL, which
scripts/with-postgres sets to a throwaway server, as for the tests) is wiped:
give it one of your own.

Targets: >= 50,000 rows/s into SQLite, >= 30,000 rows/s into PostgreSQL,
peak memory <= 300 MB. For scale, it also measures each backend's ceiling on
this machine: the same rows, already converted, written to the same table with
nothing but the driver (multi-row INSERTs / COPY), no parsing or validation.
The last line printed is a JSON object of the figures.
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, text

SYLLABLES = "康师傅立白金龙鱼海天华为小米格力美的蒙牛伊利安踏李宁百雀羚云南白药同仁堂老干妈"
LATIN = ["NOVA", "APEX", "LUMA", "ORBI", "ZENO", "KIRA", "VEGA", "MIRO", "TALO", "RUNE"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["reg_no", "name", "nice_classes", "holder", "status", "grant_date"])
        for i in range(rows):
            name = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
            if rng.random() < 0.3:
                name += " " + rng.choice(LATIN) + str(rng.randint(1, 99))
            classes = ";".join(str(c) for c in rng.sample(range(1, 46), rng.randint(1, 3)))
            holder = f"{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}科技有限公司{i % 5000}"
            day = f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            writer.writerow([str(10_000_000 + i), name, classes, holder, "registered", day])


def run_one(url: str, path: Path) -> dict[str, float]:
    """Import ``path`` into a freshly migrated database at ``url`` (runs in a child)."""
    from ipfed.nodes.database.core import make_engine, make_session_factory, transaction
    from ipfed.nodes.database.migrate import upgrade
    from ipfed.nodes.imports.kinds import import_kind
    from ipfed.nodes.imports.service import import_file

    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    started = time.perf_counter()
    with transaction(make_session_factory(engine)) as db:
        report = import_file(db=db, kind=import_kind("trademarks"), path=path)
    seconds = time.perf_counter() - started  # includes the commit
    assert report.committed and report.rows_rejected == 0, report.rejections[:5]
    # The rows are prepared in a worker process: both peaks count, as if at once.
    node_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "rows": report.rows_imported,
        "seconds": seconds,
        "rows_per_s": report.rows_imported / seconds,
        "peak_rss_mb": node_mb + worker_mb,
        "worker_peak_rss_mb": worker_mb,
    }
    return figures | {"driver_only_rows_per_s": driver_ceiling(engine)}


def driver_ceiling(engine: Engine) -> float:
    """Rows/s of the bare driver writing the rows just imported into an empty copy
    of the table: what is left for parsing and validation is the difference."""
    with engine.begin() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT * FROM rights"))]
        columns = list(conn.execute(text("SELECT * FROM rights LIMIT 0")).keys())
        driver = conn.connection.driver_connection
        cursor = driver.cursor()  # type: ignore[union-attr]
        if engine.dialect.name == "postgresql":
            cursor.execute("CREATE TEMP TABLE ceiling (LIKE rights INCLUDING ALL)")
            started = time.perf_counter()
            with cursor.copy(f"COPY ceiling ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            schema = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'rights'"))
            cursor.execute(
                schema.scalar_one().replace("CREATE TABLE rights", "CREATE TABLE ceiling")
            )
            # Multi-row INSERTs, as the import writes: the fastest way in.
            per = 32766 // len(columns)  # SQLite's parameter limit
            values = f"({', '.join('?' * len(columns))})"
            started = time.perf_counter()
            for first in range(0, len(rows), per):
                chunk = rows[first : first + per]
                params = [value for row in chunk for value in row]
                cursor.execute(
                    f"INSERT INTO ceiling VALUES {', '.join([values] * len(chunk))}", params
                )
        seconds = time.perf_counter() - started
        conn.rollback()
    return len(rows) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("IPFED_TEST_POSTGRES_URL"),
        help="a PostgreSQL database the bench may wipe",
    )
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child[0], Path(args.child[1]))))
        return
    if args.postgres is None:
        parser.error("no PostgreSQL: run under scripts/with-postgres or pass --postgres URL")

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "trademarks.csv"
        generate(data, args.rows)
        print(f"generated {args.rows:,} rows ({data.stat().st_size / 1e6:.0f} MB)")
        figures: dict[str, float] = {"rows": args.rows}
        for backend, url in (("sqlite", f"sqlite:///{tmp}/bench.db"), ("postgres", args.postgres)):
            load = os.getloadavg()[0]  # other work on a shared machine slows every figure
            child = subprocess.run(
                [sys.executable, __file__, "--child", url, str(data)],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"{backend:9} {result['rows_per_s']:>10,.0f} rows/s  "
                f"{result['seconds']:6.1f} s  peak {result['peak_rss_mb']:.0f} MB "
                f"(worker {result['worker_peak_rss_mb']:.0f} MB)  "
                f"(driver alone: {result['driver_only_rows_per_s']:,.0f} rows/s)  load {load:.1f}"
            )
            figures[f"{backend}_rows_per_s"] = round(result["rows_per_s"])
            figures[f"{backend}_peak_rss_mb"] = round(result["peak_rss_mb"], 1)
            figures[f"{backend}_worker_peak_rss_mb"] = round(result["worker_peak_rss_mb"], 1)
            figures[f"{backend}_driver_only_rows_per_s"] = round(result["driver_only_rows_per_s"])
            figures[f"{backend}_load_average"] = round(load, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
