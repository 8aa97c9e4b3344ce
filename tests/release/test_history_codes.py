"""A family member's condition gives the family history code the Tabular's notes name."""

from __future__ import annotations

import pytest

from icd_resources import IcdResources, NoteKind
from tools.history_codes import HistoryCodes

pytestmark = pytest.mark.release

FAMILY_HISTORY = "Family history codes are for use when a patient has a family member(s)"


def test_the_guideline_codes_a_family_members_disease_as_family_history(
    real_icd: IcdResources,
) -> None:
    assert FAMILY_HISTORY in " ".join(real_icd.guideline("I.C.21.c.4").text.split())


@pytest.mark.parametrize(
    ("condition", "expected", "note"),
    [
        ("C25.9", "Z80.0", "Conditions classifiable to C15-C26"),
        ("C56.9", "Z80.41", "Conditions classifiable to C51-C63"),  # ovary, among Z80.4-
        ("C61", "Z80.42", "Conditions classifiable to C51-C63"),
        ("I21.9", "Z82.49", "Conditions classifiable to I00-I5A, I65-I99"),
        ("I63.9", "Z82.3", "Conditions classifiable to I60-I64"),
        ("F10.20", "Z81.1", "Conditions classifiable to F10.-"),  # not Z81.8's F01-F99
        ("F31.9", "Z81.8", "Conditions classifiable elsewhere in F01-F99"),
        ("H40.9", "Z83.511", "Conditions classifiable to H00-H53, H55-H59"),
        ("E11.9", "Z83.3", "Conditions classifiable to E08-E13"),
    ],
)
def test_the_condition_gets_the_code_whose_note_covers_it(
    real_icd: IcdResources, condition: str, expected: str, note: str
) -> None:
    history = HistoryCodes(real_icd)
    description = real_icd.lookup(condition).description
    assert history.for_condition(condition, [description]) == expected
    notes = real_icd.notes_for(expected, {NoteKind.INCLUSION_TERM})
    assert note in [n.text for n in notes]


def test_a_code_no_note_covers_has_no_history_code(real_icd: IcdResources) -> None:
    assert HistoryCodes(real_icd).for_condition("Z84.3") is None
