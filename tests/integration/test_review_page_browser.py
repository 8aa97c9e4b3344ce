"""The review page in a real headless browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph.review_page import render_review_page
from tests.unit.graph.test_review_page import NOTE, RESULT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    path = tmp_path_factory.mktemp("review") / "review.html"
    path.write_text(render_review_page(RESULT, NOTE), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
        tab.goto(path.as_uri())
        yield tab, errors
        browser.close()


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


def test_screenshot_for_the_readme(page, tmp_path: Path) -> None:
    tab, _errors = page
    shot = tmp_path / "review.png"
    tab.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
