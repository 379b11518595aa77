"""A platform's person checks marks in the browser, at desktop and phone sizes: a
mark's URL pasted, then a photo of a unit code's label uploaded (the camera is the one
thing faked: the photo is a PNG drawn by ``qrcode`` from the verification URL, given
to the page's file input), each with its verdict in large type."""

import io

import qrcode
from browser import Tab, assert_sound
from showcase import PEOPLE, PLATFORM, Showcase

PLATFORM_PERSON = next(u for u, (_, org, _) in PEOPLE.items() if org == PLATFORM)


def photo_of(url: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(url, border=8).save(out)
    return out.getvalue()


def test_a_platform_pastes_a_url_and_uploads_a_photo_and_sees_each_verdict(
    tab: Tab, shown: Showcase
) -> None:
    shown.sign_in(tab.page, PLATFORM_PERSON)
    page = tab.page
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="核验标识").click()
    page.wait_for_url(shown.url + "/console/check")
    assert_sound(tab)

    page.get_by_label("标识网址或编码").fill(shown.page(shown.valid))
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_load_state()
    verdict = page.get_by_role("status").first
    assert "正品标识" in verdict.inner_text()
    assert (
        verdict.evaluate("e => parseFloat(getComputedStyle(e.querySelector('h1')).fontSize)") >= 26
    )
    assert "回力" in page.locator("main").inner_text()
    assert_sound(tab)

    photo = {
        "name": "label.png",
        "mimeType": "image/png",
        "buffer": photo_of(shown.page(shown.cloned)),
    }
    page.get_by_label("标识照片").set_input_files(files=[photo])
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_load_state()
    assert "疑似复制的标识" in page.get_by_role("status").first.inner_text()
    assert_sound(tab)

    page.get_by_label("标识网址或编码").fill(shown.page(shown.suspended))
    page.get_by_role("button", name="核验", exact=True).click()
    page.wait_for_load_state()
    assert "标识已暂停使用" in page.get_by_role("status").first.inner_text()
    assert_sound(tab)
