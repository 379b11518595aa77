"""The fair's people in the browser. An organizer registers a fair, uploads its
exhibits from a file and clears a flag with a reason; an inspector on a phone picks
the open fair and a booth and photographs a mark's QR code (the camera is the one
thing faked: the photo is a PNG drawn by ``qrcode`` from the mark's verification URL,
given to the page's file input), and sees the verdict at once."""

import io
from datetime import timedelta
from pathlib import Path

import httpx
import qrcode
from browser import CHROMIUM_ARGS, SIZES, Tab, Watch, assert_sound, chromium_path
from PIL import Image
from playwright.sync_api import Browser
from showcase import INSPECTORS, ORGANIZER, PEOPLE, Showcase

from ipfed.nodes.fairs.service import fair_today

ORGANIZER_PERSON = next(u for u, (_, org, _) in PEOPLE.items() if org == ORGANIZER)
INSPECTOR = next(u for u, (_, org, _) in PEOPLE.items() if org == INSPECTORS)
YIWU = ("义乌市副食批发商行", "92330782MA29C7TB03")


def test_an_organizer_uploads_exhibits_and_clears_a_flag(tab: Tab, shown: Showcase) -> None:
    shown.sign_in(tab.page, ORGANIZER_PERSON)
    page = tab.page
    page.get_by_role("navigation", name="工作台").get_by_role(
        "link", name="展会", exact=True
    ).click()
    page.wait_for_url(shown.url + "/console/fairs")
    assert_sound(tab)

    opens = fair_today() + timedelta(days=10)
    name = f"上海糖果展（{tab.size}）"
    page.get_by_label("展会名称").fill(name)
    page.get_by_label("场馆").fill("上海世博展览馆")
    page.get_by_label("行政区划代码").fill("310000")
    page.get_by_label("展会类别").fill("食品")
    page.get_by_label("开幕日期").fill(opens.isoformat())
    page.get_by_label("闭幕日期").fill((opens + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="登记展会").click()
    page.wait_for_url(shown.url + "/console/fairs/*?done=registered")
    fair_id = page.url.split("/console/fairs/")[1].split("?")[0]
    assert_sound(tab)

    rows = "exhibitor,uscc,booth,exhibit,nice_class\n" + f"{YIWU[0]},{YIWU[1]},B-12,大白兔奶糖,30\n"
    page.get_by_label("展品文件").set_input_files(
        files=[{"name": "exhibits.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_url(shown.url + f"/console/fairs/{fair_id}?done=uploaded")
    text = page.locator("main").inner_text()
    assert "大白兔奶糖" in text and "疑似仿冒注册商标" in text
    assert_sound(tab)

    first = page.locator("form.review-flag").first
    first.get_by_label("原因").fill("展商出示了冠生园的授权书")
    first.get_by_role("button", name="排除标记").click()
    page.wait_for_url(shown.url + f"/console/fairs/{fair_id}?done=reviewed*")
    assert page.get_by_role("status").inner_text().startswith("已记录您的决定")
    assert "展商出示了冠生园的授权书" in page.locator("main").inner_text()
    assert_sound(tab)

    headers = {"X-API-Key": shown.office_key}  # offices read every fair
    report = httpx.get(f"{shown.url}/fairs/{fair_id}", headers=headers).json()
    (exhibit,) = report["exhibitors"][0]["exhibits"]
    review = exhibit["flags"][0]["review"]
    assert review["decision"] == "cleared" and review["by"] == ORGANIZER
    assert f"{ORGANIZER} · {PEOPLE[ORGANIZER_PERSON][0]}" in page.locator("main").inner_text()


def photo_of(url: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(url, border=8).save(out)
    return out.getvalue()


def test_an_inspector_on_a_phone_scans_a_mark_and_sees_the_verdict(
    phone: Tab, shown: Showcase
) -> None:
    shown.sign_in(phone.page, INSPECTOR)
    page = phone.page
    page.goto(shown.url + "/console/patrol")
    assert_sound(phone)
    page.get_by_role("link", name="上海国际鞋服博览会").click()
    page.wait_for_url(shown.url + f"/console/patrol/{shown.open_fair}")
    page.get_by_label("展位").select_option("A-01")
    page.get_by_role("button", name="选择展位").click()
    page.wait_for_url(shown.url + f"/console/patrol/{shown.open_fair}?booth=A-01")
    assert "回力帆布鞋" in page.locator("main").inner_text()
    assert_sound(phone)

    photo = {
        "name": "photo.png",
        "mimeType": "image/png",
        "buffer": photo_of(shown.page(shown.valid)),
    }
    with page.expect_navigation():
        page.get_by_label("拍照扫码核验").set_input_files(files=[photo])
    verdict = page.locator("#verdict")
    assert "标识有效" in verdict.inner_text()
    assert (
        verdict.evaluate(
            "e => parseFloat(getComputedStyle(e.querySelector('.verdict-word')).fontSize)"
        )
        >= 28
    )
    assert_sound(phone)


def camera_film(path: Path, url: str) -> Path:
    """What the fake camera films: a QR code of ``url`` on a grey table, as the
    YUV4MPEG2 file Chromium's fake capture device plays (grey: Y plane only)."""
    code = qrcode.make(url, border=8).get_image().convert("L").resize((400, 400))
    frame = Image.new("L", (640, 480), 200)
    frame.paste(code, (120, 40))
    chroma = bytes([128]) * (320 * 240 * 2)
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma)
    return path


def test_an_inspector_scans_with_the_live_camera(
    chromium: Browser, shown: Showcase, tmp_path: Path
) -> None:
    """The camera is Chromium's fake capture device, filming a QR code: the page's
    script sends its frames to the node until one holds a code, then scans it."""
    film = camera_film(tmp_path / "qr.y4m", shown.page(shown.valid))
    camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={film}",
    ]
    filming = chromium.browser_type.launch(
        executable_path=chromium_path(), headless=True, args=[*CHROMIUM_ARGS, *camera]
    )
    try:
        context = filming.new_context(**SIZES["phone"], locale="zh-CN", permissions=["camera"])
        watch = Watch()
        watch.attach(context)
        tab = Tab("phone", context.new_page(), watch)
        shown.sign_in(tab.page, INSPECTOR)
        page = tab.page
        page.goto(shown.url + f"/console/patrol/{shown.open_fair}?booth=A-01")
        with page.expect_navigation():
            page.get_by_role("button", name="打开摄像头连续扫码").click()
        assert "标识有效" in page.locator("#verdict").inner_text()
        assert_sound(tab)
    finally:
        filming.close()
