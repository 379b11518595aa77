"""A detector's reasons as codes and parameters: their English sentences are the ones
the engine always wrote (the CSV, the CLI and the API carry them unchanged), and a
stored reason reads back as it was."""

import pytest

from ipfed.detection.reasons import ENGLISH, TERMS, Reason


@pytest.mark.parametrize(
    ("reason", "sentence"),
    [
        (
            Reason.of(
                "resembles_mark", written="大白兎", right="1587423", shown="大白兔", holder="冠生园"
            ),
            "「大白兎」 resembles mark 1587423 「大白兔」 of 冠生园",
        ),
        (
            Reason.of("class_similar", nice_class=30, related=29),
            "class 30 is similar to the mark's class 29",
        ),
        (
            Reason.of("patent_expired_on", number="ZL1", date="2020-01-01"),
            "ZL1 expired on 2020-01-01",
        ),
        (
            Reason.of("patent_kind_misstated", number="ZL1", kind="utility", claimed="invention"),
            "ZL1 is a utility model, shown as an invention patent",
        ),
        (
            Reason.of("jurisdiction", region_code="330782", place="shipping_origin", text="义乌"),
            "jurisdiction 330782: shipping origin: 义乌",
        ),
        (Reason.of("seller_not_licensed"), "the seller is neither the holder nor a licensee"),
    ],
)
def test_a_reason_reads_in_english_as_the_engine_wrote_it(reason: Reason, sentence: str) -> None:
    assert str(reason) == sentence


def test_a_stored_reason_reads_back_as_it_was() -> None:
    reason = Reason.of("sounds_like", written="哇", registered="娃")
    assert Reason.from_json(reason.as_json()) == reason
    assert reason.as_json() == {
        "code": "sounds_like",
        "params": {"written": "哇", "registered": "娃"},
    }


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="no reason"):
        Reason.of("looks_suspicious")


def test_every_term_has_english_words() -> None:
    assert all(TERMS[name] for name in TERMS)
    assert all(template.count("{") == template.count("}") for template in ENGLISH.values())
