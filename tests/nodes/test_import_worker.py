"""Imports prepared in a worker process: the same result as in-process, and no
half-stored file or stray process whatever happens to either side."""

import json
import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ipfed.nodes.database.core import Base
from ipfed.nodes.imports.kinds import import_kind
from ipfed.nodes.imports.readers import UnreadableFile
from ipfed.nodes.imports.schemas import ImportReport
from ipfed.nodes.imports.service import import_file
from ipfed.nodes.imports.worker import ImportWorkerFailed
from ipfed.nodes.rights.models import Right

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
SAMPLE = Path(__file__).resolve().parents[2] / "nodes" / "demo" / "sample"


def run(db: Session, kind: str, path: Path, **options: object) -> ImportReport:
    return import_file(db=db, kind=import_kind(kind), path=path, **options)  # type: ignore[arg-type]


GENERATED = {"id", "created_at", "captured_at"}  # a listing without a time is captured now


def stored(db: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row but its generated values (ids, times, references by id)."""
    tables = {}
    for table in Base.metadata.sorted_tables:
        kept = [c for c in table.c if c.name not in GENERATED and not c.foreign_keys]
        rows = db.execute(select(*kept)).all() if kept else []
        tables[table.name] = sorted(map(tuple, rows), key=repr)
    return tables


def comparable(report: ImportReport) -> dict[str, object]:
    return report.model_dump(exclude={"seconds"})


FILES = [
    ("trademarks", SAMPLE / "trademarks.csv"),
    ("patents", SAMPLE / "patents.csv"),
    ("trademarks", DATASETS / "trademark-dev" / "marks.csv"),
    ("patents", DATASETS / "patent-marking-dev" / "patents.csv"),
    ("licences", DATASETS / "trademark-dev" / "licenses.csv"),
    ("listings", DATASETS / "trademark-dev" / "listings.csv"),
    ("participants", SAMPLE / "participants.csv"),
    ("key-products", SAMPLE / "key-products.csv"),
    ("adjudications", SAMPLE / "adjudications.csv"),
]


def broken_patents(tmp_path: Path) -> Path:
    path = tmp_path / "patents.csv"
    path.write_text(
        "patent_no,kind,title,holder,status,grant_date,expiry_date,extra\n"
        "202310889911.3,invention,扫地机器人,深圳智扫,granted,2024-09-10,2043-07-02,x\n"
        "201921334455.0,utility,台灯,中山明亮,granted,2020-06-30,2029-08-15,x\n"
        "201930778899.3,invention,音箱,惠州声悦,granted,2020-02-14,2034-12-08,x\n"
        "202310889911.3,invention,重复,深圳智扫,granted,,,x\n"
        "202122445566.3,utility,瑜伽垫\n",
        encoding="utf-8",
    )
    return path


def listings_jsonl(tmp_path: Path) -> Path:
    """Columns appear line by line in JSONL: the report names those it ignored."""
    lines = [
        {"external_id": "J1", "platform": "jd", "title": "回力 帆布鞋", "seller": "某店"},
        {"external_id": "J2", "platform": "jd", "title": "某", "seller": "某店", "rating": 5},
        {"external_id": "J3", "platform": "jd", "title": "", "seller": "某店"},
    ]
    path = tmp_path / "listings.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n{")
    return path


def test_a_worker_prepares_exactly_what_the_node_would(db: Session, tmp_path: Path) -> None:
    files = [
        *FILES,
        ("listings", listings_jsonl(tmp_path)),
        ("patents", broken_patents(tmp_path)),
    ]
    results = {}
    for in_worker in (False, True):
        savepoint = db.begin_nested()
        reports = [
            comparable(run(db, kind, path, in_worker=in_worker, accept_partial=True, batch_size=7))
            for kind, path in files
        ]
        results[in_worker] = reports, stored(db)
        savepoint.rollback()

    reports, tables = results[True]
    assert reports == results[False][0]
    assert tables == results[False][1]
    assert sum(len(rows) for rows in tables.values()) > 100  # something was stored
    jsonl = reports[-2]
    assert jsonl["ignored_columns"] == ["rating"] and jsonl["rows_imported"] == 2
    assert [r["code"] for r in jsonl["rejections"]] == ["missing", "invalid_json"]
    broken = reports[-1]
    assert broken["rows_imported"] == 1 and broken["ignored_columns"] == ["extra"]
    assert [r["code"] for r in broken["rejections"]] == [
        "patent_check_digit",
        "value_error",
        "duplicate",
        "wrong_field_count",
    ]


def test_a_file_the_worker_cannot_read_fails_with_its_own_error(
    db: Session, tmp_path: Path
) -> None:
    run(db, "trademarks", SAMPLE / "trademarks.csv")
    gbk = tmp_path / "marks.csv"
    lines = [f"{9000000 + i},老干妈,30,贵阳" for i in range(3000)]
    gbk.write_bytes(("number,name,nice_classes,holder\n" + "\n".join(lines)).encode("gbk"))
    with pytest.raises(UnreadableFile, match="--encoding") as raised:
        run(db, "trademarks", gbk, in_worker=True, batch_size=100)
    assert raised.value.code == "unreadable_file"
    assert count_rights(db) == 6  # what was stored before is intact
    assert run(db, "trademarks", gbk, in_worker=True, encoding="gb18030").rows_imported == 3000


def count_rights(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Right)) or 0


def many_marks(tmp_path: Path, rows: int = 20_000) -> Path:
    path = tmp_path / "marks.csv"
    body = "\n".join(f"{30_000_000 + i},品牌{i},{i % 45 + 1},某公司" for i in range(rows))
    path.write_text("number,name,nice_classes,holder\n" + body + "\n", encoding="utf-8")
    return path


def workers() -> list[int]:
    """The import workers this process has running (their pids)."""
    children = [
        int(pid)
        for task in Path(f"/proc/{os.getpid()}/task").iterdir()
        for pid in (task / "children").read_text().split()
    ]
    return [
        pid
        for pid in children
        if b"ipfed.nodes.imports.worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def test_a_worker_killed_mid_file_fails_the_import_and_stores_nothing(
    db: Session, tmp_path: Path
) -> None:
    run(db, "trademarks", SAMPLE / "trademarks.csv")
    killed = []

    def kill_the_worker(position: int) -> None:
        if not killed:
            (worker,) = workers()
            os.kill(worker, signal.SIGKILL)
            killed.append(position)

    with pytest.raises(ImportWorkerFailed, match="exit code -9") as raised:
        run(
            db,
            "trademarks",
            many_marks(tmp_path),
            in_worker=True,
            batch_size=500,
            on_progress=kill_the_worker,
        )
    assert raised.value.code == "import_worker_failed"
    assert killed and count_rights(db) == 6
    assert not workers()


def test_an_import_that_fails_here_stops_its_worker(db: Session, tmp_path: Path) -> None:
    def fail(position: int) -> None:
        assert workers()  # the worker is still preparing the rest of the file
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        run(
            db, "trademarks", many_marks(tmp_path), in_worker=True, batch_size=500, on_progress=fail
        )
    assert not workers()
    assert count_rights(db) == 0
    assert db.execute(text("SELECT 1")).scalar() == 1  # the session goes on
