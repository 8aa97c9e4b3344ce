"""Index subterms the note must state, on the real FY2026 index, and the guideline behind it."""

from __future__ import annotations

import pytest

from icd_resources import IcdResources
from tests.release.test_coding_rules import _normalized
from tools.index_modifiers import note_words, stated_subterm_below, unstated_subterm

pytestmark = pytest.mark.release

NONESSENTIAL = (
    "supplementary words that may be present or absent in the statement of a disease or "
    "procedure without affecting the code number to which it is assigned. The terms within "
    "the parentheses are referred to as nonessential modifiers."
)


def test_the_guidelines_say_only_parenthesized_words_may_be_absent(real_icd: IcdResources) -> None:
    assert _normalized(NONESSENTIAL) in _normalized(real_icd.guideline("I.A.7").text)


@pytest.mark.parametrize(
    ("line", "note", "unstated"),
    [
        # "asthmatic" is a subterm; "(bronchial)" a nonessential modifier.
        ("Dyspnea, asthmatic (bronchial) J45.909", "fever, cough and dyspnea", "asthmatic"),
        ("Dyspnea, asthmatic (bronchial) J45.909", "dyspnea in an asthma attack", None),
        ("Pneumonia, lobar J18.1", "pneumonia of the right lower lobe", "lobar"),
        ("Pneumonia, lobar J18.1", "right lower lobar pneumonia", None),
        (
            "Neoplasm, neoplastic, breast, upper-outer quadrant C50.4-",
            "left breast cancer at 2 o'clock",
            "upper-outer quadrant",
        ),
        (
            "Neoplasm, neoplastic, breast, upper-outer quadrant C50.4-",
            "cancer in the upper outer quadrant of the left breast",
            None,
        ),
        # "with" asks nothing; the type's number is read by the cue checks.
        (
            "Diabetes, diabetic, type 2, with, chronic kidney disease E11.22",
            "T2DM with CKD stage 3a",
            None,
        ),
        # A table's column is no subterm: the intent checks read it.
        ("Ceftriaxone, adverse effect T36.1X5", "rash after ceftriaxone", None),
    ],
)
def test_a_subterm_the_note_never_states(
    real_icd: IcdResources, line: str, note: str, unstated: str | None
) -> None:
    assert unstated_subterm(real_icd, line, note_words(note)) == unstated


@pytest.mark.parametrize(
    ("line", "note", "below"),
    [
        (
            "Pneumonia (acute) (double) (migratory) (purulent) (septic) (unresolved) J18.9",
            "Likely aspiration pneumonia",
            "aspiration",
        ),
        (
            "Pneumonia (acute) (double) (migratory) (purulent) (septic) (unresolved) J18.9",
            "Community-acquired pneumonia",
            None,
        ),
        ("Infection, infected, infective (opportunistic) B99.9", "UTI", "urinary"),
    ],
)
def test_a_subterm_below_the_line_the_note_states(
    real_icd: IcdResources, line: str, note: str, below: str | None
) -> None:
    found = stated_subterm_below(real_icd, line, note_words(note))
    assert (found.title if found else None) == below
