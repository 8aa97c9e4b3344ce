"""What a code's intent and encounter ask of the note's words, checked against the guidelines."""

from __future__ import annotations

import re

import pytest

from icd_resources import IcdResources
from tests.release.test_coding_rules import _normalized
from tools.candidate_pool import ends_in_seventh
from tools.code_cues import (
    NoteCues,
    intent_of,
    note_contradicts,
    note_states,
    unsupported_axis,
)
from tools.companions import COMPANIONS, Companion
from tools.words import plain_words

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
    found = unsupported_axis(code, plain_words(clause), seventh=seventh, description=description)
    assert (found is None) is supported


def test_intent_is_read_from_drug_and_toxic_codes_only() -> None:
    assert intent_of("T36.1X5A") == "5"
    assert intent_of("T51.0X1A") == "1"
    assert intent_of("T79.4XXA") is None  # traumatic shock: no intent axis
    assert intent_of("S72.001A") is None


WEEKS = "Codes in category Z3A, Weeks of gestation, may be assigned to provide additional"
CKD_STAGE = "The severity of CKD is designated by stages 1-5"
DIABETES_TYPE = "If the type of diabetes mellitus is not documented in the medical record the"
BMI = "BMI codes should only be assigned when there is an associated, reportable diagnosis"
BMI_PREGNANCY = "Do not assign BMI codes during pregnancy"
INCIDENTAL = "document that the pregnancy is incidental to the encounter, then code Z33.1"
TRIMESTER = "documentation of the number of weeks may be used to assign the appropriate code"


@pytest.mark.parametrize(
    ("section", "quote"),
    [
        ("I.C.21.c.11", WEEKS),
        ("I.C.14.a.1", CKD_STAGE),
        ("I.C.4.a.2", DIABETES_TYPE),
        ("I.C.21.c.3", BMI),
        ("I.C.21.c.3", BMI_PREGNANCY),
        ("I.C.15.a.3", TRIMESTER),
        ("I.C.15.a.1", INCIDENTAL),
    ],
)
def test_the_guidelines_name_the_specifics(real_icd: IcdResources, section: str, quote: str):
    assert _normalized(quote) in _normalized(real_icd.guideline(section).text)


NOTE_37 = "G2P1 at 37 weeks gestation, admitted in labor. Delivered a healthy male infant."
NOTE_CKD = "Type 2 diabetes with diabetic CKD stage 3b on insulin. Left knee pain."
NOTE_T1 = "Type 1 diabetes mellitus with hyperglycemia; follow-up of a healing fracture."


@pytest.mark.parametrize(
    ("note", "code", "contradicted"),
    [
        (NOTE_37, "Z3A.37", False),
        (NOTE_37, "Z3A.35", True),  # the note states 37 weeks, not 35
        ("GDM at 27 wks; EGA at delivery 39w2d.", "Z3A.27", True),  # an earlier week: history
        ("GDM at 27 wks; EGA at delivery 39w2d.", "Z3A.39", False),
        (NOTE_37, "Z3A.00", True),  # weeks stated: not "not specified"
        ("G1P0 at 10w2d with UTI.", "O23.41", False),
        ("G1P0 at 10w2d with UTI.", "O23.40", True),  # unspecified trimester: 10 weeks is first
        ("G1P0 at 10w2d with UTI.", "O23.43", True),
        ("G2P1 at 30 weeks, anemia.", "O99.013", False),
        ("G2P1 at 30 weeks, anemia.", "O99.011", True),
        ("G2P1 at 30 weeks, anemia.", "Z33.1", True),  # incidental: not stated
        ("Ankle sprain; pregnancy incidental, 12 weeks.", "Z33.1", False),
        ("Pregnant, weeks not recorded.", "Z3A.00", False),
        (NOTE_CKD, "N18.32", False),
        (NOTE_CKD, "N18.30", True),  # stage 3b stated: not stage 3 unspecified
        (NOTE_CKD, "N18.9", True),
        (NOTE_CKD, "E11.22", False),
        (NOTE_CKD, "E10.22", True),  # type 2 stated
        (NOTE_CKD, "E13.22", True),  # other specified diabetes not stated
        (NOTE_T1, "E10.65", False),
        (NOTE_T1, "E11.65", True),
        ("Diabetes mellitus, type not stated.", "E11.9", False),  # OCG I.C.4.a.2: E11
        (NOTE_CKD, "M25.562", False),  # left knee pain: left stated
        (NOTE_CKD, "M25.561", True),  # right knee: not stated
        (NOTE_CKD, "M25.569", True),  # a side is stated: not the unspecified knee
        (NOTE_T1, "S72.001D", True),  # no side stated
        (NOTE_T1, "S82.101D", True),
        ("Follow-up of a healing right tibia fracture.", "S82.201D", False),
        ("Right tibia fracture, initial visit.", "S82.201D", True),  # subsequent not stated
        ("Rash from an adverse effect of ceftriaxone.", "T36.1X5A", False),
        ("Rash from an adverse effect of ceftriaxone.", "T36.1X1A", True),  # not a poisoning
        ("Former smoker, quit 1990.", "Z87.891", False),
        ("Former smoker, quit 1990.", "F17.200", True),  # OCG I.C.21.c.4: a history
        ("Smokes 1 ppd cigarettes.", "F17.210", False),
        ("Smokes 1 ppd cigarettes.", "F17.200", True),  # the product is stated
        ("Smokes 1 ppd cigarettes.", "Z87.891", True),  # current use, not a history
        ("Former smoker? Still smokes a few cigarettes a day.", "Z87.891", True),
        ("Dad smokes cigarettes at home.", "F17.200", False),  # the father's, not the patient's
        ("Denies current smoker status; former smoker.", "F17.210", True),
        ("27 yo F, obesity, BMI 32.4.", "Z68.32", False),
        ("27 yo F, obesity, BMI 32.4.", "Z68.30", True),  # the number gives the code
        ("27 yo F, BMI 32.4.", "Z68.32", True),  # no weight diagnosis stated
        ("G1P0 at 30 weeks, obesity, BMI 36.", "Z68.36", True),  # never in pregnancy
        ("12 yo M, obesity, BMI 31 (99th percentile).", "Z68.54", False),
        ("12 yo M, obesity, BMI 31 (99th percentile).", "Z68.31", True),  # a child: pediatric
    ],
)
def test_the_note_contradicts_a_rivals_specifics(
    real_icd: IcdResources, note: str, code: str, contradicted: bool
) -> None:
    description = real_icd.lookup(code).description
    seventh = ends_in_seventh(real_icd, code)
    found = note_contradicts(code, description, NoteCues.read(note), seventh=seventh)
    assert (found is not None) is contradicted, found


@pytest.mark.parametrize(
    ("note", "code", "states"),
    [
        ("PMH: GERD, former smoker (quit 2015).", "Z87.891", True),
        ("Quit smoking cigarettes 8 yrs ago.", "Z87.891", True),
        ("Smokes 1 ppd cigarettes.", "Z87.891", False),
        ("Smokes 1 ppd cigarettes.", "F17.210", True),
        ("Dad smokes cigarettes at home.", "F17.210", False),  # the father's
        ("CKD stage 3a due to diabetes.", "N18.31", True),
        ("CKD stage 3a due to diabetes.", "N18.30", False),
        ("27 yo F, obesity, BMI 32.4.", "Z68.32", True),
        ("27 yo F, BMI 32.4.", "Z68.32", False),  # no weight diagnosis stated
        ("G1P0 at 39 weeks.", "Z3A.39", False),  # left to the model (a newborn's weeks too)
    ],
)
def test_a_status_the_note_states_decides_its_code(
    real_icd: IcdResources, note: str, code: str, states: bool
) -> None:
    found = note_states(code, NoteCues.read(note))
    assert (found is not None) is states, found
    section = re.search(r"OCG ([\w.]+)", found or "")
    if section is not None:  # the section cited is the one about this code's kind
        text = _normalized(real_icd.guideline(section.group(1)).text).lower()
        assert code[:3].lower() in text or ("bmi" in text and code.startswith("Z68"))


@pytest.mark.parametrize("companion", COMPANIONS, ids=[c.code for c in COMPANIONS])
def test_each_companion_cites_a_section_that_asks_for_it(
    real_icd: IcdResources, companion: Companion
) -> None:
    section = re.search(r"OCG ([\w.]+)", companion.why)
    assert section is not None
    text = _normalized(real_icd.guideline(section.group(1)).text)
    assert companion.code[:3] in text or "use additional code" in text.lower()
    assert real_icd.is_billable(companion.code)
