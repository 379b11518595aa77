"""Every code the console shows has words in Chinese and English; a code without
them is found in the page."""

import string
from enum import StrEnum

import pytest
from fastapi.testclient import TestClient

from ipfed.detection.reasons import ENGLISH, TERMS
from ipfed.exchange.messages import LeadKind
from ipfed.ledger.contract import MarkStatus
from ipfed.ledger.identity import Role
from ipfed.nodes.console import i18n
from ipfed.nodes.console.templating import environment
from ipfed.nodes.detection.models import Decision, LeadStatus
from ipfed.nodes.fairs.models import ExhibitCheck
from ipfed.nodes.filings.calendar import FilingKind
from ipfed.nodes.filings.models import FilingState
from ipfed.nodes.jobs.models import JobState
from ipfed.nodes.marks.models import CloneAlertKind
from ipfed.nodes.rights.models import RightKind

SHOWN = (
    Role, MarkStatus, LeadStatus, Decision, LeadKind, ExhibitCheck, FilingState, FilingKind,
    JobState, CloneAlertKind, RightKind,
)  # fmt: skip


@pytest.mark.parametrize("codes", SHOWN, ids=lambda e: e.__name__)
def test_every_code_shown_has_words_in_both_languages(codes: type[StrEnum]) -> None:
    missing = [code.value for code in codes if code.value not in i18n.CATALOGUE]
    assert missing == []
    for code in codes:
        zh, en = i18n.CATALOGUE[code.value]
        assert zh and en and zh != en, code


def test_a_code_without_words_is_marked_in_the_page() -> None:
    page = environment.from_string("{{ 'suspended' | words }} {{ 'no_such_code' | words }}")
    html = page.render(lang="en")
    assert html == 'Suspended <span data-untranslated="no_such_code">no_such_code</span>'
    assert "no_such_code" in i18n.MISSING
    assert i18n.words("suspended", "zh") == "已暂停"


def test_chinese_first_english_by_choice_remembered(client: TestClient) -> None:
    assert "登录" in client.get("/console/sign-in").text
    english = client.get("/console/sign-in?lang=en")
    assert "Sign in" in english.text and 'lang="en"' in english.text
    assert "ipfed_lang=en" in english.headers["set-cookie"]
    assert "Username" in client.get("/console/sign-in").text  # the cookie remembers
    assert "用户名" in client.get("/console/sign-in?lang=zh").text


def test_pages_load_nothing_from_another_host(client: TestClient) -> None:
    page = client.get("/console/sign-in")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    assert "//" not in page.text.replace("http://www.w3.org", "")  # no external URL at all
    css = client.get("/static/console.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert "url(" not in css.text and "@import" not in css.text


def test_every_detector_reason_has_chinese_words_with_the_same_parameters() -> None:
    def places(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    assert set(i18n.REASONS) == set(ENGLISH)
    for code, chinese in i18n.REASONS.items():
        assert places(chinese) <= places(ENGLISH[code]), code
    assert {value for terms in TERMS.values() for value in terms} <= set(i18n.REASON_TERMS)
