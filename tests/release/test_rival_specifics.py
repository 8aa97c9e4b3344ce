"""Which rival the note's words decide, on the release's own descriptions and guidelines."""

from __future__ import annotations

import pytest

from icd_resources import IcdResources
from tests.release.test_coding_rules import _normalized
from tools.index_modifiers import note_words
from tools.rival_specifics import evidence_sentences, unstated_rivals

pytestmark = pytest.mark.release

OTHER = "Codes titled “other” or “other specified” are for use when the information in the"
UNSPECIFIED = "Codes titled “unspecified” are for use when the information in the medical record"


@pytest.mark.parametrize(("section", "quote"), [("I.A.9.a", OTHER), ("I.A.9.b", UNSPECIFIED)])
def test_the_guidelines_say_so(real_icd: IcdResources, section: str, quote: str) -> None:
    assert _normalized(quote) in _normalized(real_icd.guideline(section).text)


@pytest.mark.parametrize(
    ("note", "rivals", "kept"),
    [
        (
            "Post-op dx: Acute gangrenous appendicitis with localized peritonitis, no perforation",
            ["K35.30", "K35.31", "K35.32", "K35.80"],
            {"K35.31"},
        ),
        ("CAD s/p CABG, OSA on CPAP, hx of prostate CA.", ["G47.30", "G47.33"], {"G47.33"}),
        ("Acute hypoxic respiratory failure d/t COVID-19.", ["J96.00", "J96.01"], {"J96.01"}),
        ("PMH: HTN, HLD, hypothyroidism.", ["E78.49", "E78.5"], {"E78.5"}),
        ("PMH: hypothyroidism on levothyroxine.", ["E03.8", "E03.9"], {"E03.9"}),
        ("PMH: mild intermittent asthma.", ["J45.909", "J45.20"], {"J45.20"}),
        ("Generalized anxiety disorder on sertraline.", ["F41.1", "F41.9"], {"F41.1"}),
        ("Sepsis, organism not identified.", ["A41.9", "A41.89"], {"A41.9"}),
        ("Pneumonia.", ["J18.9", "J18.1"], {"J18.9", "J18.1"}),  # no word decides: the model
    ],
)
def test_the_note_decides_among_rivals(
    real_icd: IcdResources, note: str, rivals: list[str], kept: set[str]
) -> None:
    descriptions = {code: real_icd.lookup(code).description for code in rivals}
    aside = unstated_rivals(descriptions, note_words(evidence_sentences(note, [])))
    assert set(rivals) - set(aside) == kept, aside
