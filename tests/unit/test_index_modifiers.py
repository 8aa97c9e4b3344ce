"""A candidate's index subterms must be in the note: the line, its subterms, the note's words."""

from __future__ import annotations

import pytest

from icd_resources import IcdResources
from tools.index_modifiers import (
    index_line_path,
    note_words,
    stated_subterm_below,
    subterms,
    unstated_subterm,
)


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ("Dyspnea, asthmatic (bronchial) J45.909", "Dyspnea, asthmatic"),
        ("Edema, legs R60.0 [see Edema, lower]", "Edema, legs"),
        ("Fever (inanition) (of unknown origin) R50.9", "Fever"),
        (
            "Neoplasm, neoplastic, breast, upper-outer quadrant C50.4-",
            "Neoplasm, neoplastic, breast, upper-outer quadrant",
        ),
        ("Cholera, classic, with dehydration A00.0", "Cholera, classic, with dehydration"),
    ],
)
def test_the_path_of_a_printed_index_line(line: str, path: str) -> None:
    assert index_line_path(line) == path


def test_subterms_are_the_titles_below_the_main_term(fixture_icd: IcdResources) -> None:
    assert subterms(fixture_icd, "Cholera, classic, with dehydration, severe") == [
        "classic",
        "with dehydration",
        "severe",
    ]
    assert subterms(fixture_icd, "Cholera") == []
    assert subterms(fixture_icd, "A00 in the Tabular List, beside A00.0") is None


@pytest.mark.parametrize(
    ("note", "unstated"),
    [
        ("Classic cholera with severe dehydration.", None),
        # The groupings above the deepest subterm are the index's words, not the note's.
        ("Cholera with severe dehydration.", None),
        ("Classic cholera, dehydrated.", "severe"),
        ("Classic cholera with dehydration.", "severe"),
    ],
)
def test_the_deepest_subterm_must_be_stated(
    fixture_icd: IcdResources, note: str, unstated: str | None
) -> None:
    line = "Cholera, classic, with dehydration, severe A00.9"
    assert unstated_subterm(fixture_icd, line, note_words(note)) == unstated


@pytest.mark.parametrize(
    ("note", "below"),
    [
        ("Classic cholera.", "classic"),  # "Cholera" stops above the subterm the note states
        ("Cholera.", None),
        ("Cholera, no dehydration.", None),
    ],
)
def test_a_subterm_below_the_line_the_note_states(
    fixture_icd: IcdResources, note: str, below: str | None
) -> None:
    found = stated_subterm_below(fixture_icd, "Cholera (fixture) A00.-", note_words(note))
    assert (found.title if found else None) == below


def test_a_line_that_is_no_index_entry_asks_nothing(fixture_icd: IcdResources) -> None:
    assert unstated_subterm(fixture_icd, "Zzz, nothing of the index", note_words("")) is None


@pytest.mark.parametrize(
    ("note", "word"),
    [
        ("HTN and T2DM", "hypertens"),
        ("femoral neck fracture", "femur"),
        ("mother had breast cancer", "neoplasm"),
        ("hemorrhagic stroke", "hemorrhag"),
    ],
)
def test_the_note_words_read_abbreviations_and_everyday_words(note: str, word: str) -> None:
    assert word in note_words(note)
