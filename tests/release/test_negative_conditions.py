"""A lack the Alphabetic Index names is a condition, not a denial (Lack of, appetite: R63.0)."""

from __future__ import annotations

import pytest

from icd_resources import IcdResources
from tools.index_walk import IndexWalker
from tools.note_mentions import Assertion, MentionFinder, negative_conditions

pytestmark = pytest.mark.release


def test_lack_of_appetite_is_read_and_walked_as_the_index_names_it(real_icd: IcdResources) -> None:
    assert {"lack of appetite", "lack of energy", "lack of coordination"} <= set(
        negative_conditions(real_icd)
    )
    finder = MentionFinder.for_release(real_icd)
    mentions = finder.find("Weight loss and lack of appetite for two weeks. Lack of fever.")
    said = {m.text.lower(): m for m in mentions if m.assertion is not Assertion.NEGATED}
    assert "appetite" in said and "fever" not in said
    walker = IndexWalker(real_icd)
    lack = said["lack of"]
    codes = {
        c.code
        for term in lack.main_terms
        for r in walker.walk(term, lack.sentence)
        for c in [
            *r.entry.codes,
            *(
                code
                for t in real_icd.resolve_xref(r.entry.id)
                if t.entry_id is not None
                for code in real_icd.index_entry(t.entry_id).codes
            ),
        ]
    }
    assert "R63.0" in codes
