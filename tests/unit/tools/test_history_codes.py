"""The code ranges of the Tabular List's "Conditions classifiable to ..." notes."""

from __future__ import annotations

import pytest

from tools.history_codes import CodeRange, parse_ranges


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("Conditions classifiable to C15-C26", [("C15", "C26")]),
        ("Conditions classifiable to I00-I5A, I65-I99", [("I00", "I5A"), ("I65", "I99")]),
        ("Conditions classifiable to C50.-", [("C50", "C50")]),
        (
            "Conditions classifiable to C7A.022-C7A.025, C7A.029",
            [("C7A022", "C7A025"), ("C7A029", "C7A029")],
        ),
        ("Conditions classifiable to C40-C41; C45-C49", [("C40", "C41"), ("C45", "C49")]),
        ("Conditions classifiable elsewhere in F01-F99", [("F01", "F99")]),
        ("Personal history of conditions classifiable to O24.4-", [("O244", "O244")]),
        ("Family history of colon polyps", []),
    ],
)
def test_a_notes_ranges_are_read(text: str, ranges: list[tuple[str, str]]) -> None:
    assert [(r.low, r.high) for r in parse_ranges(text)] == ranges


@pytest.mark.parametrize(
    ("code", "low", "high", "covered"),
    [
        ("C25.9", "C15", "C26", True),
        ("C26.0", "C15", "C26", True),
        ("C27", "C15", "C26", False),
        ("I50.9", "I00", "I5A", True),  # I5A ends the range after I50-I52
        ("I60.9", "I00", "I5A", False),
        ("C80.1", "C801", "C801", True),
        ("C80.0", "C801", "C801", False),
        ("C7A.024", "C7A022", "C7A025", True),
    ],
)
def test_a_range_covers_the_codes_between_its_ends(
    code: str, low: str, high: str, covered: bool
) -> None:
    assert CodeRange(low, high).covers(code) is covered
