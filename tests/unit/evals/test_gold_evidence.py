"""The bench's look-up ceiling: which gold codes a note states a word for."""

from __future__ import annotations

from evals.gold_evidence import LookupWords
from icd_resources import IcdResources
from tools.words import content_words


def test_a_main_term_of_the_index_leads_to_the_codes_below_it(fixture_icd: IcdResources) -> None:
    lookup = LookupWords(fixture_icd)
    # A00.9 is reached by "Cholera, classic, with dehydration, severe": its main term counts,
    # a sub-term's words ("severe") alone do not.
    assert lookup.stated("A00.9", content_words("Stool cultures grew cholera."))
    assert "sever" not in lookup.words_for("A00.9")


def test_a_description_of_the_code_or_an_ancestor_leads_to_it(fixture_icd: IcdResources) -> None:
    lookup = LookupWords(fixture_icd)
    # S06.0X1 "... concussion with brief loss of consciousness"; its category "intracranial".
    assert lookup.stated("S06.0X1", content_words("An intracranial bleed was excluded."))
    assert lookup.stated("S06.0X1A", content_words("Brief loss of consciousness."))


def test_generic_words_and_unrelated_notes_lead_nowhere(fixture_icd: IcdResources) -> None:
    lookup = LookupWords(fixture_icd)
    assert not lookup.stated("A00.9", content_words("Other unspecified disease, not specified."))
    assert not lookup.stated("S06.0X1", content_words("Follow-up of hypertension."))
