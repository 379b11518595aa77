"""A reviewer of the office works through the queue in the browser, at desktop and
phone size: signs in, opens the queue, opens a lead, confirms it with a reason; the
node records the lead confirmed, by that person, and queues it to be pushed."""

import httpx
from browser import Tab, assert_sound
from showcase import OFFICE, PEOPLE, Showcase

from ipfed.ledger.identity import Role

REVIEWER = next(
    u for u, (_, org, role) in PEOPLE.items() if org == OFFICE and role is Role.REGIONAL
)


def test_a_reviewer_confirms_a_lead_from_the_queue(tab: Tab, shown: Showcase) -> None:
    shown.sign_in(tab.page, REVIEWER)
    page = tab.page
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="待办队列").click()
    page.wait_for_url(shown.url + "/console/queue")
    assert page.get_by_role("heading", level=1).inner_text() == "待办队列"
    assert_sound(tab)

    first = page.locator("table.queue tbody tr").first.get_by_role("link")
    first.click()
    page.wait_for_url(shown.url + "/console/leads/*")
    lead_id = page.url.rsplit("/", 1)[1]
    text = page.locator("main").inner_text()
    for heading in ("注册的权利", "商品页面所示", "采集时的商品页面", "证据", "来源追溯"):
        assert heading in text
    assert "证据已核验" in text
    assert_sound(tab)

    page.get_by_label("原因").fill("与注册商标近似，卖家非被许可人")
    page.get_by_role("button", name="确认", exact=True).click()
    page.wait_for_url(f"{shown.url}/console/leads/{lead_id}?done=confirm")
    assert page.get_by_role("status").inner_text().startswith("已确认")
    assert "已确认" in page.get_by_role("heading", level=1).inner_text()
    assert_sound(tab)

    headers = {"X-API-Key": shown.office_key}
    lead = httpx.get(f"{shown.url}/detection/leads/{lead_id}", headers=headers).json()
    assert lead["status"] == "confirmed"
    reviews = httpx.get(f"{shown.url}/detection/leads/{lead_id}/reviews", headers=headers)
    (review,) = reviews.json()["items"]
    assert review["person"] == PEOPLE[REVIEWER][0] and review["decision"] == "confirm"
    # Queued to be pushed: on the ledger, among the confirmed leads the push round takes.
    push = httpx.get(f"{shown.url}/detection/leads/{lead_id}/push", headers=headers).json()
    assert push["ledger_position"] is not None
    confirmed = httpx.get(f"{shown.url}/detection/confirmed", headers=headers).json()["items"]
    assert lead_id in [c["lead_id"] for c in confirmed]

    # The confirmed lead has left the queue.
    page.goto(shown.url + "/console/queue")
    assert f"/console/leads/{lead_id}" not in page.content()
