"""An officer of the office opens a mark in the browser, at desktop and phone size,
suspends it with a reason and sees the suspension in its timeline, named by them; the
node answers the mark suspended."""

import httpx
from browser import Tab, assert_sound
from showcase import OFFICE, PEOPLE, Showcase

from ipfed.ledger.identity import Role

OFFICER = next(u for u, (_, org, role) in PEOPLE.items() if org == OFFICE and role is Role.REGIONAL)


def test_an_officer_suspends_a_mark_with_a_reason(tab: Tab, shown: Showcase) -> None:
    page = tab.page
    shown.sign_in(page, OFFICER)

    page.get_by_role("navigation", name="工作台").get_by_role("link", name="电子标识").click()
    page.wait_for_url(shown.url + "/console/marks")
    assert_sound(tab)
    # The showcase's mark in force (回力 WARRIOR), found by its right number.
    page.get_by_label("权利号、名称或权利人").fill("4410392")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(shown.url + "/console/marks?q=4410392")
    page.locator("table.marks tbody tr").first.get_by_role("link").click()
    page.wait_for_url(shown.url + "/console/marks/*")
    mark_id = page.url.rsplit("/", 1)[1]
    text = page.locator("main").inner_text()
    assert "4410392" in text and "事件时间线" in text and "签发" in text
    assert_sound(tab)

    # The desktop run suspends it; the phone run, finding it suspended, reinstates it.
    suspend = page.get_by_role("button", name="暂停", exact=True)
    action, reason, done = (
        ("暂停", "涉嫌假冒，核查中", "已暂停。")
        if suspend.count()
        else ("恢复", "核查无误，恢复使用", "已恢复。")
    )
    page.get_by_label("原因").fill(reason)
    page.get_by_role("button", name=action, exact=True).click()
    page.wait_for_url(f"{shown.url}/console/marks/{mark_id}?done=*")
    assert page.get_by_role("status").inner_text() == done
    entry = page.locator("ol.timeline li").first.inner_text()
    assert action in entry and reason in entry and PEOPLE[OFFICER][0] in entry
    assert_sound(tab)

    expected = "suspended" if action == "暂停" else "active"
    headers = {"X-API-Key": shown.office_key}
    answer = httpx.get(f"{shown.url}/marks/{mark_id}", headers=headers).json()
    assert answer["status"] == expected and answer["status_reason"] == reason
