"""Bulk import: every row validated, a clear report, and a file stored whole or not at all."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from ipfed.nodes.database.core import make_session_factory, transaction
from ipfed.nodes.errors import Conflict, InvalidInput
from ipfed.nodes.imports.kinds import import_kind
from ipfed.nodes.imports.readers import UnreadableFile
from ipfed.nodes.imports.schemas import ImportReport
from ipfed.nodes.imports.service import import_file
from ipfed.nodes.licences.models import Licence
from ipfed.nodes.listings.models import Listing
from ipfed.nodes.participants.models import Participant
from ipfed.nodes.rights.models import Patent, Right, RightStatus, Trademark

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
SAMPLE = Path(__file__).resolve().parents[2] / "nodes" / "demo" / "sample"


def run(db: Session, kind: str, path: Path, **options: object) -> ImportReport:
    return import_file(db=db, kind=import_kind(kind), path=path, **options)  # type: ignore[arg-type]


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_development_datasets_import_as_they_are(db: Session) -> None:
    reports = [
        run(db, "trademarks", DATASETS / "trademark-dev" / "marks.csv"),
        run(db, "patents", DATASETS / "patent-marking-dev" / "patents.csv"),
        run(db, "licences", DATASETS / "trademark-dev" / "licenses.csv"),
        run(db, "licences", DATASETS / "patent-marking-dev" / "licenses.csv"),
        run(db, "listings", DATASETS / "trademark-dev" / "listings.csv"),
        run(db, "listings", DATASETS / "patent-marking-dev" / "listings.csv"),
    ]
    assert all(r.committed and r.rows_rejected == 0 for r in reports)
    assert [r.rows_imported for r in reports] == [30, 6, 4, 1, 70, 10]
    assert reports[4].ignored_columns == ["expected_mark_id"]

    mark = db.scalars(select(Trademark).where(Trademark.number == "D10")).one()
    assert mark.nice_classes == [29, 30, 35]
    patent = db.scalars(select(Patent).where(Patent.number == "202310889900.5")).one()
    assert patent.status is RightStatus.PENDING and patent.grant_date is None
    licence = db.scalars(select(Licence).join(Right).where(Right.number == "D22")).one()
    assert licence.licensee == "三星官方旗舰店"


def test_every_kind_of_the_built_in_sample_imports(db: Session, sample_data: None) -> None:
    participant = db.scalars(
        select(Participant).where(Participant.uscc == "92330782MA29C7TB03")
    ).one()
    assert {(s.platform, s.shop_id) for s in participant.shops} == {
        ("taobao", "fushi-pifa"),
        ("pinduoduo", "fs2024"),
    }


def test_a_broken_file_is_reported_row_by_row_and_nothing_is_stored(
    db: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "patents.csv",
        "patent_no,kind,title,holder,status,grant_date,expiry_date\n"
        "201710556677.7,invention,扫地机器人,深圳智扫,granted,2019-09-10,2037-07-02\n"  # 2 ok
        "201921334455.0,utility,台灯,中山明亮,granted,2020-06-30,2029-08-15\n"  # 3 check
        "201930778899.3,invention,音箱,惠州声悦,granted,2020-02-14,2034-12-08\n"  # 4 kind
        "202310889900.5,invention,快递袋,浙江绿包,granted,,\n"  # 5 ok
        "201210334455.8,invention,,福建茗香,expired,2014-08-20,2022-05-30\n"  # 6 title
        "201710556677.7,invention,重复,深圳智扫,granted,,\n"  # 7 duplicate of line 2
        "202122445566.3,utility,瑜伽垫,义乌动力,lapsed,2022-02-11,2021-09-30\n"  # 8 dates
        "202122445566.3,utility,瑜伽垫\n",  # 9 short row
    )
    report = run(db, "patents", path)

    assert not report.committed and report.rows_imported == 0
    assert report.rows_read == 8
    found = {(r.line, r.field, r.code) for r in report.rejections}
    assert found == {
        (3, "patent_no", "patent_check_digit"),
        (4, None, "value_error"),
        (6, "title", "missing"),
        (7, "number", "duplicate"),
        (8, None, "value_error"),
        (9, None, "wrong_field_count"),
    }
    reasons = {r.line: r.reason for r in report.rejections}
    assert "requires 1" in reasons[3]
    assert "design number" in reasons[4]
    assert "in that order" in reasons[8]
    assert count(db, Right) == 0


def test_a_late_bad_row_undoes_batches_already_written(db: Session, tmp_path: Path) -> None:
    run(db, "trademarks", SAMPLE / "trademarks.csv")  # already stored: must survive
    before = count(db, Right)
    rows = [f"{20_000_000 + i},品牌{i},{i % 45 + 1},某公司" for i in range(2_500)]
    rows.append("29999999,坏行,46,某公司")  # Nice class 46 does not exist
    path = write(tmp_path, "marks.csv", "number,name,nice_classes,holder\n" + "\n".join(rows))

    report = run(db, "trademarks", path, batch_size=1000)

    assert not report.committed
    assert [(r.line, r.field, r.code) for r in report.rejections] == [
        (2502, "nice_classes", "invalid_nice_class")
    ]
    assert count(db, Right) == before


def test_partial_import_keeps_the_valid_rows(db: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "marks.csv",
        "mark_id,name,nice_classes,holder\nA1,甲,3,甲公司\nA2,乙,0,乙公司\nA3,丙,9;35,丙公司\n",
    )
    report = run(db, "trademarks", path, accept_partial=True)
    assert report.committed and report.rows_imported == 2 and report.rows_rejected == 1
    assert sorted(db.scalars(select(Trademark.number))) == ["A1", "A3"]


def test_blank_lines_anywhere_do_not_end_the_file(db: Session, tmp_path: Path) -> None:
    # Batches of two lines: the run of blank lines fills whole batches on its own.
    rows = ["number,name,nice_classes,holder", "B1,甲,3,甲公司", "", "", "", "", "B2,乙,99,乙公司"]
    text = "\n".join([*rows, "", "B3,丙,5,丙公司", ""])
    report = run(db, "trademarks", write(tmp_path, "marks.csv", text), batch_size=2)
    assert report.rows_read == 3
    assert [(r.line, r.code) for r in report.rejections] == [(7, "invalid_nice_class")]


def test_nul_characters_are_refused(db: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "marks.csv", "number,name,nice_classes,holder\nN1,坏\x00名,3,某公司\n")
    report = run(db, "trademarks", path)
    assert [(r.line, r.code) for r in report.rejections] == [(2, "nul_character")]


def test_licences_must_name_a_stored_right(db: Session, tmp_path: Path) -> None:
    run(db, "trademarks", SAMPLE / "trademarks.csv")
    path = write(
        tmp_path,
        "licences.csv",
        "right_id,licensee,starts_on,ends_on\n"
        "1587423,某旗舰店,2024-01-01,2025-01-01\n"
        "D99,某店,,\n"
        "1587423,某店,2025-01-01,2024-01-01\n",
    )
    report = run(db, "licences", path)
    assert {(r.line, r.code) for r in report.rejections} == {
        (3, "unknown_right"),
        (4, "value_error"),
    }
    assert count(db, Licence) == 0


def test_jsonl_files_import_too(db: Session, tmp_path: Path) -> None:
    lines = [
        {
            "external_id": "J1",
            "platform": "jd",
            "title": "回力 帆布鞋",
            "seller": "某店",
            "price": "59.00",
            "captured_at": "2026-11-01T08:00:00+08:00",
            "image_urls": ["https://img.example.com/1.jpg"],
        },
        {
            "external_id": "J2",
            "platform": "jd",
            "title": "无时区",
            "seller": "某店",
            "captured_at": "2026-11-01T08:00:00",
        },
        "not an object",
    ]
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n{broken\n"
    report = run(db, "listings", write(tmp_path, "listings.jsonl", text), accept_partial=True)

    assert report.rows_imported == 1
    assert {(r.line, r.code) for r in report.rejections} == {
        (2, "timezone_aware"),
        (3, "invalid_json"),
        (4, "invalid_json"),
    }
    listing = db.scalars(select(Listing)).one()
    assert listing.captured_at.isoformat() == "2026-11-01T00:00:00+00:00"
    assert listing.image_urls == ["https://img.example.com/1.jpg"]


def test_reimporting_the_same_listings_is_refused(db: Session) -> None:
    path = DATASETS / "trademark-dev" / "listings.csv"
    assert run(db, "listings", path).committed
    again = run(db, "listings", path)
    assert not again.committed and again.rows_rejected == 70
    assert again.rejections[0].code == "duplicate"
    assert count(db, Listing) == 70


def test_unreadable_files_fail_cleanly(db: Session, tmp_path: Path) -> None:
    run(db, "trademarks", SAMPLE / "trademarks.csv")
    gbk = tmp_path / "marks.csv"
    gbk.write_bytes("number,name,nice_classes,holder\n9000001,老干妈,30,贵阳\n".encode("gbk"))
    with pytest.raises(UnreadableFile, match="--encoding"):
        run(db, "trademarks", gbk)
    assert count(db, Right) == 6  # what was stored before is intact
    report = run(db, "trademarks", gbk, encoding="gb18030")
    assert report.committed and report.rows_imported == 1

    with pytest.raises(UnreadableFile, match="header"):
        run(db, "trademarks", write(tmp_path, "empty.csv", ""))
    with pytest.raises(UnreadableFile, match="format"):
        run(db, "trademarks", write(tmp_path, "marks.xlsx", "x"))
    with pytest.raises(InvalidInput, match="cannot import"):
        import_kind("pets")


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)  # SQLite: one writer at a time
def test_a_key_stored_meanwhile_by_another_writer_fails_the_import_cleanly(
    engine: Engine, tmp_path: Path
) -> None:
    header = "number,name,nice_classes,holder\n"
    mine = write(tmp_path, "mine.csv", header + "W1,甲,3,甲公司\nW2,乙,5,乙公司\n")
    theirs = write(tmp_path, "theirs.csv", header + "W2,乙,5,乙公司\n")
    sessions = make_session_factory(engine)
    try:
        with sessions() as other, ThreadPoolExecutor(1) as pool:
            assert run(other, "trademarks", theirs).committed  # W2 written, not yet committed

            def importing() -> ImportReport:
                with transaction(sessions) as db:
                    return run(db, "trademarks", mine)

            started = pool.submit(importing)
            with engine.connect() as monitor:  # until the import waits for the other writer
                while not started.done():
                    waiting = monitor.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity"
                            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                        )
                    )
                    monitor.rollback()  # the statistics views hold one snapshot per transaction
                    if waiting:
                        break
                    time.sleep(0.05)
            other.commit()
            with pytest.raises(Conflict, match="try again"):
                started.result()
        with sessions() as db:
            assert list(
                db.scalars(select(Trademark.number).where(Trademark.number.like("W%")))
            ) == ["W2"]
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM rights WHERE number IN ('W1', 'W2')"))
