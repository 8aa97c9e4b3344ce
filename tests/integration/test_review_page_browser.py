"""The review page in a real headless browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from graph.review_page import render_review_page
from tests.unit.graph.test_review_page import DECIDED, NOTE, RESULT

SAMPLE = Path(__file__).parents[1] / "fixtures" / "review_sample_result.json"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def _open(browser, path: Path, result: dict) -> tuple:
    path.write_text(render_review_page(result, NOTE), encoding="utf-8")
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    tab.goto(path.as_uri())
    return tab, errors


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory: pytest.TempPathFactory):
    """The page of a result written before scores and rivals (its state is shared)."""
    tab, errors = _open(browser, tmp_path_factory.mktemp("review") / "review.html", RESULT)
    yield tab, errors
    tab.close()


@pytest.fixture
def decided(browser, tmp_path: Path):
    """A fresh page of a result with scores, rivals and the ranked 'also considered'."""
    tab, errors = _open(browser, tmp_path / "review.html", DECIDED)
    yield tab
    assert errors == []
    tab.close()


def _exported(tab) -> list[str]:
    codes = [c["code"] for c in json.loads(tab.input_value("#export-json"))["codes"]]
    assert tab.input_value("#export-list") == "\n".join(codes)
    return codes


def test_a_click_on_a_code_highlights_its_spans(page) -> None:
    tab, errors = page
    tab.click('article[data-code="E11.22"] h3')
    active = tab.eval_on_selector_all("mark.ev.active", "ms => ms.map(m => m.textContent)")
    assert "".join(active) == "Type 2 diabetes with CKD stage 3a"
    tab.click('article[data-code="I12.9"] h3')
    active = tab.eval_on_selector_all("mark.ev.active", "ms => ms.map(m => m.textContent)")
    assert active == ["Essential hypertension", "CKD stage 3a"]
    assert errors == []


def test_a_click_on_a_span_shows_its_codes(page) -> None:
    tab, _errors = page
    tab.click("mark.ev >> text=CKD stage 3a")
    cards = tab.eval_on_selector_all("article.code.active", "cs => cs.map(c => c.dataset.code)")
    assert cards == ["I12.9", "E11.22"]


def test_rejecting_a_code_changes_the_export(page) -> None:
    tab, _errors = page
    exported = json.loads(tab.input_value("#export-json"))
    assert [c["code"] for c in exported["codes"]] == ["I12.9", "E11.22"]
    tab.check('input[name="d-I12.9"][value="reject"]')
    exported = json.loads(tab.input_value("#export-json"))
    assert [c["code"] for c in exported["codes"]] == ["E11.22"]
    assert tab.input_value("#export-list") == "E11.22"
    tab.check('input[name="d-I12.9"][value="accept"]')
    assert tab.input_value("#export-list") == "I12.9\nE11.22"


def test_script_in_the_note_is_shown_as_text(page) -> None:
    tab, errors = page
    assert "<script>alert('x')</script>" in tab.inner_text("#note")
    assert not any("dialog" in e for e in errors)


def test_screenshot_for_the_readme(browser, tmp_path: Path) -> None:
    """Render a hand-made result for the bundled note (evidence offsets checked) and shoot it."""
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    note = (resources.files("clh") / "samples" / "sample_note.txt").read_text("utf-8")
    for code in sample["codes"]:
        for span in code["evidence"]:
            assert note[span["start"] : span["end"]] == span["text"]
    path = tmp_path / "review.html"
    path.write_text(render_review_page(sample, note), encoding="utf-8")
    tab = browser.new_page(viewport={"width": 1280, "height": 1500})
    tab.goto(path.as_uri())
    assert _exported(tab) == ["J18.9", "E11.22", "I12.9", "N18.31", "T36.1X5A", "Z79.4", "Z66"]
    tab.click('article[data-code="Z87.891"] h3')
    shot = tmp_path / "review.png"
    tab.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    tab.close()


def test_a_low_score_code_starts_un_accepted_and_marked_for_review(decided) -> None:
    assert _exported(decided) == ["I12.9"]
    card = 'article[data-code="E11.22"]'
    assert "review" in decided.get_attribute(card, "class").split()
    assert decided.inner_text(f"{card} .review-badge") == "review"
    assert not decided.is_checked(f'{card} input[value="accept"]')
    assert not decided.is_checked(f'{card} input[value="reject"]')
    decided.check(f'{card} input[value="accept"]')
    assert _exported(decided) == ["I12.9", "E11.22"]  # in rank order


def test_swap_replaces_the_code_in_the_exported_set(decided) -> None:
    card = 'article[data-code="I12.9"]'
    decided.click(f"{card} >> text=swap to I10")
    assert _exported(decided) == ["I10"]
    assert decided.inner_text(f"{card} h3 .id") == "I10"
    assert decided.inner_text(f"{card} h3 .desc") == "Essential (primary) hypertension"
    assert decided.inner_text(f"{card} h3 .score") == "P(yes) 0.62"
    assert decided.is_visible(f"{card} .swapped")
    assert not decided.is_visible(f'{card} li.option[data-code="I10"]')
    # Choosing a rival of the un-accepted code accepts the rival.
    decided.click('article[data-code="E11.22"] >> text=swap to E11.9')
    assert _exported(decided) == ["I10", "E11.9"]
    decided.click(f"{card} >> text=swap back to I12.9")
    assert _exported(decided) == ["I12.9", "E11.9"]
    assert decided.inner_text(f"{card} h3 .id") == "I12.9"
    assert not decided.is_visible(f"{card} .swapped")


def test_add_appends_a_considered_code_and_show_all_unfolds_the_rest(decided) -> None:
    decided.click('#considered button[data-code="N18.31"]')
    assert _exported(decided) == ["I12.9", "N18.31"]
    last = '#considered li[data-code="Z00.22"]'
    assert not decided.is_visible(last)
    decided.click("#show-all")
    assert decided.is_visible(last) and not decided.is_visible("#show-all")
    decided.click(f"{last} button.add")
    assert _exported(decided) == ["I12.9", "N18.31", "Z00.22"]
    decided.click('#considered button[data-code="N18.31"]')
    assert _exported(decided) == ["I12.9", "Z00.22"]
    assert decided.inner_text('#considered button[data-code="N18.31"]') == "add"
