"""What a code's intent and encounter ask of the note's words, checked against the guidelines."""

from __future__ import annotations

import pytest

from icd_resources import IcdResources
from tests.release.test_coding_rules import _normalized
from tools.candidate_pool import words
from tools.code_cues import intent_of, unsupported_axis

pytestmark = pytest.mark.release

ACCIDENTAL = (
    "If the intent of the poisoning is unknown or unspecified, code the intent as accidental"
)
INITIAL = "7th character “A”, initial encounter is used for each encounter where the patient is"
UNDERDOSING = "Underdosing refers to taking less of a medication than is prescribed"
LATERAL = "If the side is not identified in the medical record, assign the code for the unspecified"


@pytest.mark.parametrize(
    ("section", "quote"),
    [
        ("I.C.19.e.5.b", ACCIDENTAL),
        ("I.C.19.a", INITIAL),
        ("I.C.19.e.5.c", UNDERDOSING),
        ("I.B.13", LATERAL),
    ],
)
def test_the_guidelines_say_so(real_icd: IcdResources, section: str, quote: str) -> None:
    assert _normalized(quote) in _normalized(real_icd.guideline(section).text)


@pytest.mark.parametrize(
    ("code", "clause", "supported"),
    [
        ("T36.1X5A", "rash attributed to an adverse effect of ceftriaxone", True),
        ("T36.1X5A", "treated for pneumonia with intravenous ceftriaxone", False),
        ("T36.1X6A", "treated for pneumonia with intravenous ceftriaxone", False),
        ("T36.1X6A", "she missed doses of her ceftriaxone", True),
        ("T36.1X1A", "overdose of cephalexin", True),  # intent unstated: accidental
        ("T36.1X2A", "overdose of cephalexin", False),  # self-harm must be stated
        ("T36.1X2A", "suicide attempt by overdose of cephalexin", True),
        ("T42.4X4A", "benzodiazepine poisoning", False),  # undetermined must be stated
        ("S72.001A", "fracture of the right femoral neck", True),
        ("S72.001A", "fracture of the femoral neck", False),  # the side is not stated
        ("S72.001D", "fracture of the right femoral neck", False),
        ("S72.001D", "follow-up of a healing fracture of the right femoral neck", True),
        ("S72.001S", "malunion, a sequela of a right femoral neck fracture", True),
        ("E11.22", "type 2 diabetes with diabetic chronic kidney disease", True),
        ("J18.9", "pneumonia of the lower lobe", True),  # no side in the code
        ("H25.11", "age-related nuclear cataract", False),  # right eye: not stated
        ("H25.11", "nuclear cataract of the right eye", True),
        ("H25.13", "nuclear cataracts in both eyes", True),
        ("H25.10", "age-related nuclear cataract", True),  # unspecified eye (OCG I.B.13)
    ],
)
def test_a_code_needs_its_intent_and_encounter_in_the_clause(
    real_icd: IcdResources, code: str, clause: str, supported: bool
) -> None:
    assert real_icd.is_billable(code)
    seventh = len(code) == 8 and real_icd.needs_seventh_character(code[:-1])
    description = real_icd.lookup(code).description
    found = unsupported_axis(code, words(clause), seventh=seventh, description=description)
    assert (found is None) is supported


def test_intent_is_read_from_drug_and_toxic_codes_only() -> None:
    assert intent_of("T36.1X5A") == "5"
    assert intent_of("T51.0X1A") == "1"
    assert intent_of("T79.4XXA") is None  # traumatic shock: no intent axis
    assert intent_of("S72.001A") is None
