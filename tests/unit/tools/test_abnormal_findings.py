"""An observation or a result is not coded unless the provider states it (OCG III.B)."""

from __future__ import annotations

from tools.abnormal_findings import findings_only

NOTE = """HPI: 3 days of sore throat and fever.
Exam: erythematous pharynx, tonsillar exudate. Ecchymosis L shin.
Labs: WBC 14.
Findings: internal hemorrhoids.
A/P: strep pharyngitis - amoxicillin.
"""


def _at(word: str) -> int:
    return NOTE.index(word)


def test_codes_seen_only_in_the_exam_or_labs_are_findings() -> None:
    starts = {
        "J02.0": [_at("strep pharyngitis")],
        "R50.9": [_at("fever")],
        "R58": [_at("Ecchymosis")],
        "D72.829": [_at("WBC")],
        "J02.9": [_at("erythematous pharynx"), _at("strep pharyngitis")],
        "K64.8": [_at("internal hemorrhoids")],  # a procedure's findings: the provider's word
        "Z00.00": [],
    }
    assert findings_only(list(starts), starts, NOTE) == ["R58", "D72.829"]


def test_a_note_without_such_sections_removes_nothing() -> None:
    note = "A 40-year-old with a rash on exam and a high white count."
    assert findings_only(["R21"], {"R21": [note.index("rash")]}, note) == []
