"""The office's registers pages: rights, licences, participants and key products
browsed, searched and paged; files of every kind ``ipfed import`` takes uploaded, with
the import's report on the page (a rejected row named with its field and why, nothing
stored unless the person asks for the valid rows); bad files answered with a 4xx page;
participants read by the own office only, each read in the access log."""

import json
import re
from collections.abc import Iterator

import pytest
from console import PASSWORD, Clock, add_person, app_client, csrf_of, sign_in
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ipfed.ledger.identity import Role
from ipfed.nodes.accounts.models import AccessRecord, Account
from ipfed.nodes.body_limit import DEFAULT_MAX_BODY
from ipfed.nodes.config import NodeSettings
from ipfed.nodes.console.registers import PAGE_SIZE, column_code
from ipfed.nodes.imports.kinds import KINDS
from ipfed.nodes.rights.models import Right, Trademark

FOREIGN = "浙江省知识产权局"
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
HEADER = "number,name,nice_classes,holder,status,grant_date,expiry_date\n"


@pytest.fixture
def client(
    engine: Engine,
    sessions: sessionmaker[Session],
    settings: NodeSettings,
    clock: Clock,
    sample_data: None,
) -> Iterator[TestClient]:
    """The Shanghai node with the demo's sample register."""
    yield from app_client(settings, engine, sessions, clock)


@pytest.fixture
def reviewer(client: TestClient, db: Session, settings: NodeSettings) -> Account:
    """A reviewer of the node's own office, signed in."""
    account = add_person(db, "wang.fang", settings.org_name, Role.REGIONAL)
    assert sign_in(client, "wang.fang", PASSWORD).status_code == 303
    return account


def rows_of(page: Response) -> str:
    """The rows of the register's table (not the search form, the switch or the
    upload form); nothing when no row matches."""
    assert page.status_code == 200, page.text
    _, found, rest = page.text.partition('<table class="responsive register">')
    return rest.split("<tbody>")[1].split("</tbody>")[0] if found else ""


def upload(
    client: TestClient,
    kind: str,
    name: str,
    content: bytes,
    **form: str,
) -> Response:
    page = client.get("/console/registers")
    return client.post(
        "/console/registers/upload",
        data={"csrf_token": csrf_of(page), "kind": kind, **form},
        files={"file": (name, content, "text/csv")},
    )


def trademark_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Trademark)) or 0


def test_the_office_browses_every_register_with_its_codes_as_words(
    client: TestClient, reviewer: Account
) -> None:
    home = client.get("/console")
    assert 'href="/console/registers"' in home.text and "登记册" in home.text
    trademarks = client.get("/console/registers")
    table = rows_of(trademarks)
    assert "大白兔" in table and "老凤祥" in table and "有效" in table and "驰名商标" in table
    assert "第30类 方便食品" in table  # a Nice class with its heading
    patents = rows_of(client.get("/console/registers/patents"))
    assert "一种防滑折叠剪刀" in patents and "实用新型" in patents and "外观设计" in patents
    gis = rows_of(client.get("/console/registers/geographical-indications"))
    assert "西湖龙井" in gis and "西湖区 330106" in gis
    licences = rows_of(client.get("/console/registers/licences"))
    assert "上海冠生园食品有限公司天猫旗舰店" in licences and "许可" in licences
    assert "1587423 大白兔<br><small>商标 · 上海冠生园食品有限公司" in licences
    participants = rows_of(client.get("/console/registers/participants"))
    assert "91310115MA1FL3QX0F" in participants and "taobao：shuma-pjc" in participants
    products = rows_of(client.get("/console/registers/key-products"))
    assert "大白兔奶糖" in products and "专利 202130223344.X" in " ".join(products.split())
    for page in ("", "/patents", "/licences", "/participants", "/key-products"):
        answer = client.get("/console/registers" + page + "?lang=en")
        assert answer.status_code == 200 and "data-untranslated" not in answer.text, page
        answer = client.get("/console/registers" + page + "?lang=zh")
        assert "data-untranslated" not in answer.text, page


def test_the_search_box_matches_numbers_names_holders_and_classes(
    client: TestClient, reviewer: Account
) -> None:
    def found(path: str) -> str:
        return rows_of(client.get(path))

    by_name = found("/console/registers/trademarks?q=大白兔")
    assert "1587423" in by_name and "老凤祥" not in by_name
    by_holder = found("/console/registers/trademarks?q=老凤祥股份")
    assert "3021568" in by_holder and "大白兔" not in by_holder
    by_class = found("/console/registers/trademarks?q=&nice_class=14")
    assert "老凤祥" in by_class and "大白兔" not in by_class
    assert "老凤祥" not in found("/console/registers/trademarks?q=老凤祥&nice_class=30")
    assert "老凤祥" in found("/console/registers/trademarks?q=老凤祥&nice_class=")  # all classes
    assert client.get("/console/registers/trademarks?nice_class=46").status_code == 422
    # A patent number as printed on a product, with its ZL prefix.
    patent = found("/console/registers/patents?q=ZL202020556601.1")
    assert "一种防滑折叠剪刀" in patent and "奶糖包装盒" not in patent
    licence = found("/console/registers/licences?q=8815527")
    assert "京东自营店" in licence and "天猫旗舰店" not in licence
    shop = found("/console/registers/participants?q=xihu-mingcha")
    assert "杭州西湖茗茶贸易有限公司" in shop and "上海浦东数码配件城" not in shop
    product = found("/console/registers/key-products?q=8815527")
    assert "张小泉剪刀" in product and "大白兔奶糖" not in product
    nothing = client.get("/console/registers/trademarks?q=没有这个商标")
    assert nothing.status_code == 200 and "没有符合条件的记录" in nothing.text
    # A percent sign is a character to find, not a wildcard.
    assert "没有符合条件的记录" in client.get("/console/registers/trademarks?q=%25").text


def test_a_long_register_is_paged_by_twenty_five(
    client: TestClient, db: Session, reviewer: Account
) -> None:
    extra = PAGE_SIZE + 5
    numbers = [f"9{index:06d}" for index in range(extra)]
    rows = "".join(f"{n},测试商标{n},25,测试公司,granted,2020-01-01,2030-01-01\n" for n in numbers)
    assert upload(client, "trademarks", "more.csv", (HEADER + rows).encode()).status_code == 200
    total = trademark_count(db)
    assert total > PAGE_SIZE

    first = client.get("/console/registers/trademarks?q=测试商标")
    assert rows_of(first).count("<tr>") == PAGE_SIZE
    assert "第一页" not in first.text
    following = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert following.startswith("/console/registers/trademarks?q=") and "after=" in following
    second = client.get(following.replace("&amp;", "&"))
    assert rows_of(second).count("<tr>") == extra - PAGE_SIZE
    assert 'rel="next"' not in second.text and "第一页" in second.text
    shown = {n for n in numbers if n in rows_of(first) or n in rows_of(second)}
    assert shown == set(numbers)  # every row once, on one page or the other
    assert client.get("/console/registers/trademarks?after=not-a-cursor").status_code == 422


def test_an_uploaded_file_is_imported_and_its_report_shown(
    client: TestClient, db: Session, reviewer: Account
) -> None:
    before = trademark_count(db)
    content = HEADER + '8000001,新商标,"25,35",某公司,granted,2020-01-01,2030-01-01\n'
    answer = upload(client, "trademarks", "marks.csv", content.encode())
    assert answer.status_code == 200
    assert "已导入" in answer.text and 'id="rows-stored">1<' in answer.text
    assert trademark_count(db) == before + 1
    assert "新商标" in rows_of(answer)  # the register it went into, shown with the report

    # JSON Lines, and a register browsed on its own page.
    line = {"name": "上海新天地商贸有限公司", "uscc": None, "shops": "jd:9001"}
    answer = upload(client, "participants", "people.jsonl", json.dumps(line).encode())
    assert answer.status_code == 200 and "上海新天地商贸有限公司" in rows_of(answer)
    assert 'aria-current="page">市场主体' in answer.text

    # GB18030, as Excel writes Chinese CSV files, under a name longer than a file system takes.
    content = HEADER + "8000002,国标商标,30,某公司,granted,2020-01-01,2030-01-01\n"
    name = "商标" * 100 + ".csv"
    answer = upload(client, "trademarks", name, content.encode("gb18030"), encoding="gb18030")
    assert answer.status_code == 200 and "国标商标" in rows_of(answer)


def test_a_rejected_row_is_reported_and_nothing_stored_unless_asked(
    client: TestClient, db: Session, reviewer: Account
) -> None:
    before = trademark_count(db)
    content = (
        HEADER
        + "8000011,好商标,25,某公司,granted,2020-01-01,2030-01-01\n"
        + "8000012,坏商标,46,某公司,granted,2020-01-01,2030-01-01\n"  # no class 46
        + "1587423,大白兔,30,上海冠生园食品有限公司,granted,2001-06-21,2031-06-20\n"  # stored
    )
    answer = upload(client, "trademarks", "marks.csv", content.encode())
    assert answer.status_code == 422
    assert "文件未导入" in answer.text and 'id="rows-rejected">2<' in answer.text
    assert trademark_count(db) == before
    report = answer.text.split('<table class="responsive rejections">')[1].split("</table>")[0]
    cells = [CELL.findall(row) for row in report.split("<tbody>")[1].split("</tr>")[:-1]]
    assert [row[:3] for row in cells] == [
        ["3", '<span title="nice_classes">核定使用类别</span>', "尼斯分类无效"],
        ["4", '<span title="number">编号</span>', "已存在"],
    ]
    assert "46" in cells[0][3] and "1587423" in cells[1][3]
    assert "data-untranslated" not in answer.text

    partial = upload(client, "trademarks", "marks.csv", content.encode(), partial="true")
    assert partial.status_code == 200 and 'id="rows-stored">1<' in partial.text
    assert 'id="rows-rejected">2<' in partial.text and "好商标" in rows_of(partial)
    assert trademark_count(db) == before + 1


@pytest.mark.parametrize(
    ("name", "content", "kind", "status", "code_words"),
    [
        ("marks.xlsx", b"PK\x03\x04", "trademarks", 415, "文件类型不对"),
        ("marks.csv", b"", "trademarks", 422, "文件中没有可导入的数据行"),
        ("marks.csv", HEADER.encode(), "trademarks", 422, "文件中没有可导入的数据行"),
        ("marks.csv", b'number,name\n"1587423,x\n', "trademarks", 422, "无法读取文件"),
        ("marks.csv", HEADER.encode("utf-16"), "trademarks", 422, "无法读取文件"),
        ("marks.csv", HEADER.encode(), "rockets", 422, "不能导入这类文件"),
        ("", b"", "trademarks", 422, "请选择要上传的文件"),
    ],
)
def test_a_bad_file_is_answered_with_a_clear_page_and_nothing_stored(
    client: TestClient,
    db: Session,
    reviewer: Account,
    name: str,
    content: bytes,
    kind: str,
    status: int,
    code_words: str,
) -> None:
    before = db.scalar(select(func.count()).select_from(Right))
    answer = upload(client, kind, name, content)
    assert answer.status_code == status
    assert code_words in answer.text and 'role="alert"' in answer.text
    assert "data-untranslated" not in answer.text
    assert db.scalar(select(func.count()).select_from(Right)) == before


def test_a_file_over_the_default_body_limit_is_taken_and_an_unknown_register_is_a_404(
    client: TestClient, reviewer: Account
) -> None:
    # A column the import ignores makes the file larger than a form's default limit.
    line = {"name": "大文件商贸有限公司", "notes": "备" * DEFAULT_MAX_BODY}
    answer = upload(client, "participants", "big.jsonl", json.dumps(line).encode())
    assert answer.status_code == 200 and "大文件商贸有限公司" in rows_of(answer)
    assert "notes" in answer.text  # reported as ignored

    unknown = client.get("/console/registers/rockets")
    assert unknown.status_code == 404 and "没有这个登记册" in unknown.text


@pytest.mark.parametrize(
    ("org_is_own", "role"),
    [(True, Role.ENFORCEMENT), (True, Role.FAIR), (False, Role.REGIONAL), (False, Role.NATIONAL)],
)
def test_only_the_own_office_opens_the_registers(
    client: TestClient, db: Session, settings: NodeSettings, org_is_own: bool, role: Role
) -> None:
    add_person(db, "someone", settings.org_name if org_is_own else FOREIGN, role)
    assert sign_in(client, "someone", PASSWORD).status_code == 303
    assert 'href="/console/registers"' not in client.get("/console").text
    for path in ("/console/registers", "/console/registers/participants"):
        answer = client.get(path)
        assert answer.status_code == 403 and "91310115MA1FL3QX0F" not in answer.text
    page = client.get("/console")
    refused = client.post(
        "/console/registers/upload",
        data={"csrf_token": csrf_of(page), "kind": "trademarks"},
        files={"file": ("marks.csv", HEADER.encode(), "text/csv")},
    )
    assert refused.status_code == 403


def test_reading_participants_is_in_the_access_log(
    client: TestClient, db: Session, reviewer: Account
) -> None:
    client.get("/console/registers/participants?q=数码")
    record = db.scalar(
        select(AccessRecord).where(AccessRecord.route == "/console/registers/{register}")
    )
    assert record is not None
    assert record.account_id == reviewer.id and record.method == "GET" and record.status == 200
    assert record.record_id == "register=participants"  # which register; never the search


def test_every_column_of_every_kind_of_file_has_words() -> None:
    missing = [
        (kind.name, column)
        for kind in KINDS.values()
        for column in kind.columns()
        if column_code(kind.name, column) is None
    ]
    assert missing == []
    assert column_code("trademarks", "reg_no") == "column_number"
    assert column_code("patents", "kind") == "column_patent_kind"
    assert column_code("licences", "kind") == "column_kind"
    assert column_code("participants", "shops.0.platform") == "column_shops"
    assert column_code("key-products", "nice_classes") == "column_nice_classes"  # misplaced
    assert column_code("trademarks", "notes") is None
