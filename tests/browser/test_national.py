"""The national office at its node, at desktop and phone size: the filings page shows
Shanghai's monthly report received, opened from its link, and the consolidated report
with its charts drawn; the leads of both regions and the ledger's health are there."""

from browser import Tab, assert_sound
from showcase import NATIONAL, PEOPLE, Showcase

from ipfed.ledger.identity import Role

ANALYST = next(
    u for u, (_, org, role) in PEOPLE.items() if org == NATIONAL and role is Role.NATIONAL
)


def test_the_national_dashboard_shows_a_filing(tab: Tab, shown: Showcase) -> None:
    page = tab.page
    shown.sign_in(page, ANALYST)
    url = shown.url_of(ANALYST)
    menu = page.get_by_role("navigation", name="工作台")

    menu.get_by_role("link", name="报送情况").click()
    page.wait_for_url(url + "/console/national/filings")
    assert_sound(tab)
    # Shanghai's monthly report received: the one row of Shanghai's with a link.
    page.locator("tbody tr", has_text="上海市").get_by_role("link").click()
    page.wait_for_url(url + "/console/national/filings/*")
    text = page.locator("main").inner_text()
    assert "上海市知识产权局" in text and "月度报表" in text and "开展专项检查" in text
    assert_sound(tab)

    page.get_by_role("link", name="全国汇总报告").click()
    page.wait_for_url(url + "/console/national/report?*")
    page.wait_for_load_state("networkidle")
    charts = page.locator("figure.chart img")
    assert charts.count() == 4
    for index in range(4):  # each chart drawn by the node, not a broken image
        assert charts.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    assert "上海市" in page.locator("table").inner_text()
    assert_sound(tab)

    menu.get_by_role("link", name="各地线索").click()
    page.wait_for_url(url + "/console/national/leads")
    page.wait_for_load_state("networkidle")
    charts = page.locator("figure.chart img")
    assert charts.count() == 2
    for index in range(2):
        assert charts.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
    text = page.locator("main").inner_text()
    assert "上海市" in text and "浙江省" in text and "义乌 仿冒运动鞋 批发" in text
    assert_sound(tab)

    menu.get_by_role("link", name="账本健康").click()
    page.wait_for_url(url + "/console/national/ledger")
    text = page.locator("main").inner_text()
    assert "ipfed/310000/sh" in text and "账本分叉" in text
    assert_sound(tab)
