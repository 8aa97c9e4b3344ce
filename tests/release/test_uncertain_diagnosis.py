"""The guidelines' own terms of uncertainty, read from the FY2026 PDF, are the mention reader's."""

from __future__ import annotations

import re

import pytest

from icd_resources import IcdResources
from tools.note_mentions import Assertion, MentionFinder

pytestmark = pytest.mark.release

_QUOTED = re.compile(r"[“\"]([^”\"]+?)[,.]?[”\"]")


def _quoted_terms(icd: IcdResources, section: str) -> list[str]:
    text = " ".join(icd.guideline(section).text.split())
    return [t.strip(" ,.") for t in _QUOTED.findall(text) if "either/or" not in t]


@pytest.mark.parametrize("section", ["II.H", "IV.H"])
def test_every_term_the_guideline_names_marks_a_diagnosis_uncertain(
    real_icd: IcdResources, section: str
) -> None:
    terms = _quoted_terms(real_icd, section)
    assert len(terms) >= 6, terms  # the section's list was read, not an empty match
    finder = MentionFinder({"pneumonia": (1,)})
    for term in terms:
        # "Probable pneumonia", "pneumonia, still to be ruled out": before or after, as written.
        after = term.startswith("still")
        text = f"Pneumonia, {term}." if after else f"Assessment: {term} pneumonia."
        (mention,) = finder.find(text)
        assert mention.assertion is Assertion.UNCERTAIN, (section, term, text)
        # Outside inpatient care not coded (IV.H); inpatient, coded as if established (II.H).
        assert not mention.codeable("outpatient") and mention.codeable("inpatient")
