"""Which words of a sub-term's title the note must say."""

from __future__ import annotations

import pytest

from tools.index_walk import title_forms
from tools.words import content_words


@pytest.mark.parametrize(
    ("title", "forms"),
    [
        ("myocardium, myocardial (acute)", ["myocardium", "myocardial"]),  # either form
        ("chromosome, chromosomal", ["chromosome", "chromosomal"]),
        ("back, lower", ["back lower"]),  # an inverted phrase: both words
        ("percussion, chest", ["percussion chest"]),
        ("abdomen, abdominal region NEC", ["abdomen abdominal region NEC"]),
        ("with", [""]),
    ],
)
def test_a_titles_forms(title: str, forms: list[str]) -> None:
    assert list(title_forms(title)) == [content_words(f) for f in forms]
