"""The organisations that act on leads, in the browser at desktop and phone size: the
enforcement authority's inspector opens a lead the office confirmed and pushed to it,
sees its evidence verified and reports the outcome, which leaves through the exchange;
a rights holder launches detection for its mark and sees the task listed."""

import httpx
from browser import Tab, assert_sound
from showcase import HOLDER, INSPECTORS, PEOPLE, Showcase

from ipfed.ledger.identity import Role

INSPECTOR = next(
    u for u, (_, org, role) in PEOPLE.items() if org == INSPECTORS and role is Role.ENFORCEMENT
)
HOLDER_PERSON = next(u for u, (_, org, _) in PEOPLE.items() if org == HOLDER)


def test_an_inspector_opens_a_routed_lead_and_reports_its_outcome(
    tab: Tab, shown: Showcase
) -> None:
    shown.sign_in(tab.page, INSPECTOR)
    page = tab.page
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="收到的线索").click()
    page.wait_for_url(shown.url + "/console/received")
    assert page.get_by_role("heading", level=1).inner_text() == "收到的线索"
    assert_sound(tab)

    page.locator(f'a[href="/console/received/{shown.routed_lead}"]').click()
    page.wait_for_url(f"{shown.url}/console/received/{shown.routed_lead}")
    text = page.locator("main").inner_text()
    for heading in (
        "收到的线索内容",
        "注册的权利",
        "检测理由",
        "证据",
        "采集时的商品页面",
        "账本存证",
    ):
        assert heading in text
    assert page.locator("#evidence-state").inner_text().startswith("证据已核验")
    assert (
        page.locator("#record-state").inner_text().startswith("线索及证据指纹已在发现方账本上存证")
    )
    assert "回力 WARRIOR" in text
    assert_sound(tab)

    page.get_by_label("选择处理结果").select_option(label="已下架")
    page.get_by_label("案件编号（可选）").fill(f"沪市监案〔2026〕{tab.size}")
    page.get_by_label("说明").fill("已通知平台下架该商品")
    page.get_by_role("button", name="反馈处理结果").click()
    page.wait_for_url(f"{shown.url}/console/received/{shown.routed_lead}?done=true")
    assert page.get_by_role("status").inner_text().startswith("处理结果已记录")
    assert page.locator("#lead-state").inner_text() == "已下架"
    assert_sound(tab)

    # The outcome left through the exchange, signed by the node, for the national record.
    headers = {"X-API-Key": shown.office_key}
    thread = httpx.get(f"{shown.url}/exchange/threads/{shown.routed_lead}", headers=headers)
    feedback = [e["body"] for e in thread.json()["sent"] if e["type"] == "lead.feedback"]
    assert {"handled_by": INSPECTORS, "outcome": "taken_down"}.items() <= feedback[-1].items()
    assert feedback[-1]["case_number"] == f"沪市监案〔2026〕{tab.size}"


def test_a_holder_launches_detection_and_sees_it_listed(tab: Tab, shown: Showcase) -> None:
    shown.sign_in(tab.page, HOLDER_PERSON)
    page = tab.page
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="侵权监测").click()
    page.wait_for_url(shown.url + "/console/detection")
    assert_sound(tab)

    page.get_by_label("4410392 回力 WARRIOR").check()
    page.get_by_label("卖家所在地区代码").fill("310000")
    page.get_by_role("button", name="开始监测").click()
    page.wait_for_url(shown.url + "/console/detection/*")
    task_path = page.url.removeprefix(shown.url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("监测任务")
    assert "4410392" in page.locator("main").inner_text()
    assert_sound(tab)

    page.get_by_role("link", name="侵权监测").first.click()
    page.wait_for_url(shown.url + "/console/detection")
    assert page.locator(f'a[href="{task_path}"]').count() == 1
    assert_sound(tab)
