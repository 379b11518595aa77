"""The office's reviewer opens the registers in the browser, at desktop and phone size:
searches the trademarks, opens the participants, and uploads a file with a bad row,
which answers with the rejection report on the page and stores nothing."""

import httpx
from browser import Tab, assert_sound
from showcase import OFFICE, PEOPLE, Showcase

from ipfed.ledger.identity import Role

REVIEWER = next(
    u for u, (_, org, role) in PEOPLE.items() if org == OFFICE and role is Role.REGIONAL
)
FILE = (
    "number,name,nice_classes,holder,status,grant_date,expiry_date\n"
    "7300001,江南布衣,25,江南布衣服饰有限公司,granted,2015-03-01,2035-02-28\n"
    "7300002,江南织造,46,江南布衣服饰有限公司,granted,2015-03-01,2035-02-28\n"
)


def test_the_reviewer_searches_the_registers_and_sees_a_rejection_report(
    tab: Tab, shown: Showcase
) -> None:
    page = tab.page
    shown.sign_in(page, REVIEWER)
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="登记册").click()
    page.wait_for_url(shown.url + "/console/registers")
    assert "老凤祥" in page.locator("table.register").inner_text()
    assert_sound(tab)

    page.get_by_label("注册号、商标名称或权利人").fill("大白兔")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(shown.url + "/console/registers/trademarks?q=*")
    found = page.locator("table.register tbody").inner_text()
    assert "1587423" in found and "上海冠生园食品有限公司" in found and "老凤祥" not in found
    assert_sound(tab)

    page.get_by_role("navigation", name="登记册").get_by_role("link", name="市场主体").click()
    page.wait_for_url(shown.url + "/console/registers/participants")
    assert "上海浦东数码配件城有限公司" in page.locator("table.register").inner_text()
    assert_sound(tab)

    page.get_by_label("导入到").select_option("trademarks")
    page.get_by_label("文件（.csv 或 .jsonl）").set_input_files(
        files=[{"name": "trademarks.csv", "mimeType": "text/csv", "buffer": FILE.encode()}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_url(shown.url + "/console/registers/upload")
    report = page.locator("#report")
    assert "文件未导入" in report.get_by_role("status").inner_text()
    row = report.locator("table.rejections tbody tr")
    assert row.count() == 1
    cells = row.first.locator("td").all_inner_texts()
    assert cells[:3] == ["3", "核定使用类别", "尼斯分类无效"] and "46" in cells[3]
    assert_sound(tab)

    # Nothing of the file is stored, its good row neither.
    headers = {"X-API-Key": shown.office_key}
    assert httpx.get(f"{shown.url}/trademarks/7300001", headers=headers).status_code == 404
