"""The review page: the note with its evidence marked, every code, escaped text."""

from __future__ import annotations

from graph.review_page import note_segments, render_review_page

NOTE = "Essential hypertension. <script>alert('x')</script> Type 2 diabetes with CKD stage 3a."


def _span(text: str) -> dict:
    start = NOTE.index(text)
    return {"text": text, "start": start, "end": start + len(text)}


RESULT = {
    "note_id": "n<1>",
    "passes": 1,
    "codes": [
        {
            "rank": 1,
            "code": "I12.9",
            "description": "Hypertensive chronic kidney disease with stage 1-4 CKD",
            "evidence": [_span("Essential hypertension"), _span("CKD stage 3a")],
            "findings": [],
            "index_paths": ["Hypertension, kidney I12.9 (via index)"],
            "tabular_notes": ["Use additional code: stage (N18.1-N18.4, N18.9)"],
            "rationale": "<b>because</b>",
        },
        {
            "rank": 2,
            "code": "E11.22",
            "description": "Type 2 diabetes mellitus with diabetic chronic kidney disease",
            "evidence": [_span("Type 2 diabetes with CKD stage 3a")],
            "findings": [],
            "index_paths": [],
            "tabular_notes": [],
            "rationale": "",
        },
    ],
    "checks": [
        {
            "rule": "Combination code (OCG I.A.15)",
            "codes": ["I10", "I12.9"],
            "action": "replaced I10 with I12.9",
            "detail": "",
        }
    ],
    "failures": [
        {
            "agent": "index_navigator",
            "scope": "f1",
            "reason": "no answer",
            "last_reply": "",
            "recovered": False,
        }
    ],
    "rejected": [{"step": "tabular_validator", "item": "I10", "reason": "<i>not</i> selected"}],
}


def test_segments_know_the_codes_that_cite_them() -> None:
    segments = note_segments(NOTE, RESULT["codes"])
    assert "".join(s.text for s in segments) == NOTE
    overlap = next(s for s in segments if s.text == "CKD stage 3a")
    assert overlap.codes == ["I12.9", "E11.22"]
    assert next(s for s in segments if "script" in s.text).codes == []


def test_the_page_escapes_what_the_note_and_the_model_wrote() -> None:
    page = render_review_page(RESULT, NOTE)
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>because</b>" not in page and "&lt;i&gt;not&lt;/i&gt;" in page
    assert 'data-code="I12.9"' in page and 'data-codes="I12.9 E11.22"' in page
    assert "replaced I10 with I12.9" in page and "no answer" in page
    assert "http" not in page.replace("http-equiv", "")  # no CDN, nothing fetched
