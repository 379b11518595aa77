"""The public verification page as a citizen sees it, at desktop and phone size:
the verdict in large type and words, who issued the mark and what it covers, and
a suspected fake reported through the form reaching the office's API."""

import re

import httpx
from browser import Tab, assert_sound
from showcase import Showcase


def open_page(tab: Tab, url: str) -> None:
    tab.page.goto(url, wait_until="networkidle")


def test_a_valid_mark(tab: Tab, shown: Showcase) -> None:
    open_page(tab, shown.page(shown.valid))
    page = tab.page
    verdict = page.get_by_role("heading", level=1)
    assert verdict.inner_text() == "正品标识　有效"
    assert float(verdict.evaluate("h => getComputedStyle(h).fontSize")[:-2]) >= 24
    text = page.locator("main").inner_text()
    for shown_text in ("上海市知识产权局（上海市）", "回力 WARRIOR", "商标", "第25类 服装鞋帽"):
        assert shown_text in text
    assert not re.search(r"\b[0-9A-HJKMNP-TV-Z]{26}\b", page.content())  # no record ids
    assert_sound(tab)


def test_a_unit_code_shows_its_checks(tab: Tab, shown: Showcase) -> None:
    open_page(tab, shown.page(shown.unit))
    text = tab.page.locator("main").inner_text()
    assert "本件商品的单件码" in text and "B-2026-12" in text and "（北京时间）" in text
    # Opened by this address only: one check, however often it reloads.
    assert tab.page.locator(".checks").inner_text() == "1"
    assert_sound(tab)


def test_a_unit_code_sold_by_two_sellers_may_be_a_clone(tab: Tab, shown: Showcase) -> None:
    open_page(tab, shown.page(shown.cloned))
    assert tab.page.get_by_role("heading", level=1).inner_text() == "疑似复制的标识"
    assert tab.page.locator(".checks").inner_text() == "3"  # two sightings and this page
    assert_sound(tab)


def test_a_suspended_mark(tab: Tab, shown: Showcase) -> None:
    open_page(tab, shown.page(shown.suspended))
    page = tab.page
    assert page.get_by_role("heading", level=1).inner_text() == "标识已暂停使用"
    assert "核查中" in page.locator("main").inner_text()  # the office's reason
    assert_sound(tab)


def test_an_unknown_code(tab: Tab, shown: Showcase) -> None:
    open_page(tab, shown.page("this-is-no-mark-at-all-0123456789"))
    assert tab.page.get_by_role("heading", level=1).inner_text() == "无法核验"
    assert_sound(tab)


def test_the_page_in_english(desktop: Tab, shown: Showcase) -> None:
    open_page(desktop, shown.page(shown.revoked) + "?lang=en")
    assert desktop.page.get_by_role("heading", level=1).inner_text() == "Mark revoked"
    assert "Class 14: Jewellery and watches" in desktop.page.locator("main").inner_text()
    assert_sound(desktop)


def test_a_reported_fake_reaches_the_office(tab: Tab, shown: Showcase) -> None:
    seller = f"东门鞋城 {tab.size}"
    open_page(tab, shown.page(shown.cloned))
    page = tab.page
    page.get_by_label("购买地点").fill("深圳东门步行街")
    page.get_by_label("卖家名称").fill(seller)
    page.get_by_label("商品照片").set_input_files(
        {"name": "shoe.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_label("联系方式").fill("13800000000")
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("举报已收到").is_visible()
    assert_sound(tab)

    headers = {"X-API-Key": shown.office_key}
    listed = httpx.get(f"{shown.url}/marks/suspect-reports", headers=headers).json()["items"]
    (report,) = [r for r in listed if r["seller"] == seller]
    assert report["where_bought"] == "深圳东门步行街" and report["contact"] == "13800000000"
    assert report["verdict"] == "possible_clone" and report["unit_serial"]
    photo = httpx.get(f"{shown.url}/marks/suspect-reports/{report['id']}/photo", headers=headers)
    assert photo.content == PNG and photo.headers["content-type"] == "image/png"
    assert httpx.get(f"{shown.url}/marks/suspect-reports").status_code == 401  # no key


# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
