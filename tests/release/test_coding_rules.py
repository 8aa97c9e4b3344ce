"""Coding rules as a coder applies them, case by case, on the real FY2026 release.

Each case is written from the Official Guidelines' text, not from the code: the codes a coder
would be given, the codes and order the guideline leads to, the rule that must fire, and the
section with words from it (checked to be in the guidelines PDF, so a case cannot cite a
section that says something else).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from icd_resources import IcdResources
from tools.abnormal_findings import UNSTATED_SYMPTOMS
from tools.code_checks import Action, CheckPolicy, run_checks
from tools.first_listed import REASON_FIRST

pytestmark = pytest.mark.release


@dataclass(frozen=True)
class Case:
    name: str
    given: list[str]
    expected: list[str]
    fires: str | None  # a words of the rule that must fire; None: no rule changes anything
    section: str
    quote: str
    # The rules as the guidelines state them; flagging instead is the measured default.
    policy: CheckPolicy = field(
        default_factory=lambda: CheckPolicy(excludes1=Action.REMOVE, unspecified=Action.REMOVE)
    )


EXCLUDES1 = "pure excludes note"
INTEGRAL = "Signs and symptoms that are associated routinely with a disease process should not"
INSTRUCTED = "unless otherwise instructed by the classification"
CODE_FIRST = "requires the underlying condition be sequenced first"
WITH = "presumes a causal relationship between the two conditions"
HTN_HEART = "is assigned to a code from category I11"
HTN_CKD = "Assign codes from category I12"
HTN_BOTH = "Assign codes from combination category I13"
COMBINATION = "Assign only the combination code when that code fully identifies"
ANTIDIABETIC = "to identify the long-term (current) use of insulin"
LATERALITY = (
    "If the side is not identified in the medical record, assign the code for the unspecified side"
)
ENCOUNTER = (
    "assignment of the 7th character is based on whether the patient is undergoing active treatment"
)
SYMPTOM = "are not to be used as principal diagnosis when a related definitive diagnosis has"
EXTERNAL = "An external cause code can never be a principal (first-listed) diagnosis"
STATUS = "A status code is informative"
HISTORY = "Personal history codes explain a patient"
REPORTING = "only codes are permissible, not categories or subcategories"
SEVENTH = "The applicable 7th character is required"
ONCE = "Each unique ICD-10-CM diagnosis code may be reported only once for an encounter"
ADVERSE = "assign the appropriate code for the nature of the adverse effect followed by"
POISONING = "first assign the appropriate code from categories T36-T50"
CAUSE = "should match the 7th character of the code assigned for the associated injury"
COVID = "assign code U07.1, COVID-19, as the principal/first-listed diagnosis"
UNSPECIFIED = (
    "Codes titled “unspecified” are for use when the information in the medical record is "
    "insufficient"
)

CASES = [
    # OCG I.A.12.a Excludes1: never together; code ranges in notes are ranges.
    Case(
        "range C82-C85 under C26.1",
        ["C26.1", "C83.00"],
        ["C26.1"],
        "Excludes1",
        "I.A.12.a",
        EXCLUDES1,
    ),
    Case(
        "range O00-O9A under Z34",
        ["Z34.01", "O24.410"],
        ["Z34.01"],
        "Excludes1",
        "I.A.12.a",
        EXCLUDES1,
    ),
    Case(
        "the higher-ranked code stays",
        ["O24.410", "Z34.01"],
        ["O24.410"],
        "Excludes1",
        "I.A.12.a",
        EXCLUDES1,
    ),
    Case(
        "chapter 4 excludes P70-P74",
        ["E16.2", "P70.4"],
        ["E16.2"],
        "Excludes1",
        "I.A.12.a",
        EXCLUDES1,
    ),
    Case(
        "prose 'any type in A15' is no reference",
        ["A15.0", "A15.4"],
        ["A15.0", "A15.4"],
        None,
        "I.A.12.a",
        EXCLUDES1,
    ),
    Case(
        "block I10-I1A excludes I27.0",
        ["I10", "I27.0"],
        ["I10"],
        "Excludes1",
        "I.A.12.a",
        EXCLUDES1,
    ),
    Case(
        "'E08-E13 with .42' names E11.42",
        ["E11.42", "G63"],
        ["E11.42"],
        "Excludes1",
        "I.A.12.a",
        EXCLUDES1,
    ),
    Case(
        "'E08-E13 with .42' does not name E11.9",
        ["E85.9", "G63", "E11.9"],
        ["E85.9", "G63", "E11.9"],
        None,
        "I.A.12.a",
        EXCLUDES1,
    ),
    Case(
        "flag policy keeps both",
        ["C26.1", "C83.00"],
        ["C26.1", "C83.00"],
        "Excludes1",
        "I.A.12.a",
        "unrelated to each other",
        CheckPolicy(excludes1=Action.FLAG, unspecified=Action.FLAG),
    ),
    # OCG I.A.13 etiology / manifestation.
    Case("G63 never alone", ["G63"], ["G63"], "Manifestation never alone", "I.A.13", CODE_FIRST),
    Case("N08 never alone", ["N08"], ["N08"], "Manifestation never alone", "I.A.13", CODE_FIRST),
    Case(
        "F02.80 never alone",
        ["F02.80"],
        ["F02.80"],
        "Manifestation never alone",
        "I.A.13",
        CODE_FIRST,
    ),
    Case(
        "amyloidosis before G63",
        ["G63", "E85.9"],
        ["E85.9", "G63"],
        "Code first",
        "I.A.13",
        CODE_FIRST,
    ),
    Case(
        "Alzheimer's before F02.80",
        ["F02.80", "G30.9"],
        ["G30.9", "F02.80"],
        "Code first",
        "I.A.13",
        CODE_FIRST,
    ),
    Case(
        "a manifestation is never first",
        ["G63", "J18.9"],
        ["J18.9", "G63"],
        "Manifestation",
        "I.A.13",
        CODE_FIRST,
    ),
    # OCG I.C.19.e.5: the T36-T50 "code first" list is for adverse effects only.
    Case(
        "adverse effect: nature first",
        ["T39.015A", "K29.70"],
        ["K29.70", "T39.015A"],
        "Code first",
        "I.C.19.e.5.a",
        ADVERSE,
    ),
    Case(
        "poisoning: T code first",
        ["T39.011A", "K29.70"],
        ["T39.011A", "K29.70"],
        None,
        "I.C.19.e.5.b",
        POISONING,
    ),
    Case(
        "respiratory failure due to COVID-19: U07.1 first",
        ["J96.01", "J12.82", "U07.1", "I10"],
        ["U07.1", "J96.01", "J12.82", "I10"],
        "COVID-19 before",
        "I.C.1.g.1.c",
        COVID,
    ),
    Case(
        "COVID-19 beside a fracture that leads: order kept",
        ["S72.001A", "U07.1", "J12.82"],
        ["S72.001A", "U07.1", "J12.82"],
        None,
        "I.C.1.g.1.c",
        COVID,
    ),
    Case(
        "an external cause with no injury goes",
        ["J21.0", "X58.XXXA", "Y93.9"],
        ["J21.0"],
        "An external cause goes with",
        "I.C.20.a.2",
        CAUSE,
    ),
    Case(
        "an external cause beside its injury stays",
        ["S72.141A", "W18.09XA", "Y92.012"],
        ["S72.141A", "W18.09XA", "Y92.012"],
        None,
        "I.C.20.a.2",
        CAUSE,
    ),
    # OCG I.A.15, I.B.9, I.C.9.a: "with" and combination codes.
    Case(
        "I10 + CKD stage 3 is I12.9",
        ["I10", "N18.30"],
        ["I12.9", "N18.30"],
        "Combination code",
        "I.C.9.a.2",
        HTN_CKD,
    ),
    Case(
        "I10 + ESRD is I12.0",
        ["I10", "N18.6"],
        ["I12.0", "N18.6"],
        "Combination code",
        "I.C.9.a.2",
        HTN_CKD,
    ),
    Case(
        "I10 + CKD stage 5 is I12.0, N18 second",
        ["N18.5", "I10"],
        ["I12.0", "N18.5"],
        "Combination code",
        "I.C.9.a.2",
        HTN_CKD,
    ),
    Case(
        "I10 + heart failure is I11.0",
        ["I10", "I50.9"],
        ["I11.0", "I50.9"],
        "Combination code",
        "I.C.9.a.1",
        HTN_HEART,
    ),
    Case(
        "I10 + HF + CKD 4 is I13.0",
        ["I10", "I50.9", "N18.4"],
        ["I13.0", "I50.9", "N18.4"],
        "Combination code",
        "I.C.9.a.3",
        HTN_BOTH,
    ),
    Case(
        "I10 + HF + ESRD is I13.2",
        ["I10", "N18.6", "I50.22"],
        ["I13.2", "N18.6", "I50.22"],
        "Combination code",
        "I.C.9.a.3",
        HTN_BOTH,
    ),
    Case(
        "I11.0 + I12.9, one chosen for each part, is I13.0",
        ["I11.0", "I50.32", "I12.9", "N18.31"],
        ["I13.0", "I50.32", "N18.31"],
        "Combination code",
        "I.C.9.a.3",
        HTN_BOTH,
    ),
    Case(
        "I11.9 + I12.0 is I13.11, N18 second",
        ["N18.6", "I12.0", "I11.9"],
        ["I13.11", "N18.6"],
        "Combination code",
        "I.C.9.a.3",
        HTN_BOTH,
    ),
    Case(
        "I10 beside I12.9 goes",
        ["I12.9", "N18.31", "I10"],
        ["I12.9", "N18.31"],
        "Combination code",
        "I.A.15",
        WITH,
    ),
    Case("I10 alone stays", ["I10"], ["I10"], None, "I.C.9.a.2", HTN_CKD),
    Case(
        "hyperglycemia named by diabetes with hyperglycemia goes",
        ["R73.9", "E11.65"],
        ["E11.65"],
        "A symptom the combination code names",
        "I.B.9",
        COMBINATION,
        CheckPolicy(named_symptom=Action.REMOVE),  # Excludes1 flagged, as by default
    ),
    Case(
        "pain named by pain in the right hip goes",
        ["S72.141A", "M25.551", "R52"],
        ["S72.141A", "M25.551"],
        "A symptom the combination code names",
        "I.B.9",
        COMBINATION,
        CheckPolicy(named_symptom=Action.REMOVE),  # Excludes1 flagged, as by default
    ),
    Case(
        "E11.9 beside E11.22 goes",
        ["E11.9", "E11.22", "N18.4"],
        ["E11.22", "N18.4"],
        "Unspecified beside specific",
        "I.B.9",
        COMBINATION,
    ),
    Case(
        "E10.9 beside E10.65 goes",
        ["E10.65", "E10.9"],
        ["E10.65"],
        "Unspecified beside specific",
        "I.A.9.b",
        UNSPECIFIED,
    ),
    Case(
        "codes of other categories stay",
        ["E11.9", "I10"],
        ["E11.9", "I10"],
        None,
        "I.A.9.b",
        UNSPECIFIED,
    ),
    Case(
        "an injury of unspecified region beside a coded site goes",
        ["S93.401A", "T14.90XA", "W01.0XXA", "X58.XXXA"],
        ["S93.401A", "W01.0XXA"],
        "Unspecified beside specific",
        "I.C.19.b",
        "should not be assigned in the inpatient setting unless information for a more specific "
        "code is not available",
    ),
    Case(
        "an unspecified infectious disease beside a named one goes",
        ["A41.9", "B99.9"],
        ["A41.9"],
        "Unspecified beside specific",
        "I.A.9.b",
        UNSPECIFIED,
    ),
    Case(
        "an unspecified infectious disease beside a urinary tract infection goes",
        ["N39.0", "B99.9", "B96.20"],
        ["N39.0", "B96.20"],
        "Unspecified beside specific",
        "I.A.9.b",
        UNSPECIFIED,
    ),
    Case(
        "an unspecified infectious disease beside diabetes stays",
        ["E11.9", "B99.9"],
        ["E11.9", "B99.9"],
        None,
        "I.A.9.b",
        UNSPECIFIED,
    ),
    # OCG I.C.2.j-k: cancer of unspecified site, or disseminated, not in place of the sites.
    Case(
        "cancer of unspecified site beside a kidney cancer goes",
        ["C64.1", "C80.1"],
        ["C64.1"],
        "Unspecified beside specific",
        "I.C.2.k",
        "should only be used when no determination can be made as to the primary site",
        CheckPolicy(),
    ),
    Case(
        "cancer of unspecified site beside metastases only stays",
        ["C80.1", "C78.7", "C79.51"],
        ["C80.1", "C78.7", "C79.51"],
        None,
        "I.C.2.k",
        "should only be used when no determination can be made as to the primary site",
        CheckPolicy(),
    ),
    Case(
        "disseminated cancer beside a known secondary site goes",
        ["C80.0", "C78.7"],
        ["C78.7"],
        "Unspecified beside specific",
        "I.C.2.j",
        "should not be used in place of assigning codes for the primary site and all known "
        "secondary sites",
        CheckPolicy(),
    ),
    Case(
        "a residual injury code goes by default, with unspecified codes flagged",
        ["S93.401A", "T14.90XA", "W01.0XXA", "X58.XXXA"],
        ["S93.401A", "W01.0XXA"],
        "Unspecified beside specific",
        "I.C.19.b",
        "should not be assigned in the inpatient setting unless information for a more specific "
        "code is not available",
        CheckPolicy(),
    ),
    Case(
        "a residual code is kept, flagged, when the policy says flag",
        ["A41.9", "B99.9"],
        ["A41.9", "B99.9"],
        None,
        "I.A.9.b",
        UNSPECIFIED,
        CheckPolicy(residual=Action.FLAG),
    ),
    # OCG I.B.13 laterality.
    Case(
        "unspecified ear beside right ear",
        ["H66.90", "H66.91"],
        ["H66.91"],
        "Laterality",
        "I.B.13",
        LATERALITY,
    ),
    Case(
        "unspecified femur beside right femur",
        ["S72.001A", "S72.009A"],
        ["S72.001A"],
        "Laterality",
        "I.B.13",
        LATERALITY,
    ),
    Case(
        "right and left both stay",
        ["H66.91", "H66.92"],
        ["H66.91", "H66.92"],
        None,
        "I.B.13",
        "assign separate codes for both the left and right side",
    ),
    # OCG I.C.19.a encounter 7th characters.
    Case(
        "initial and subsequent for one injury",
        ["S72.001A", "S72.001D"],
        ["S72.001A"],
        "Encounter 7th character",
        "I.C.19.a",
        ENCOUNTER,
    ),
    Case(
        "two injuries, two initial encounters",
        ["S72.001A", "S72.002A"],
        ["S72.001A", "S72.002A"],
        None,
        "I.C.19.a",
        ENCOUNTER,
    ),
    Case(
        "sequela beside subsequent is no clash",
        ["S72.001D", "S72.001S"],
        ["S72.001D", "S72.001S"],
        None,
        "I.C.19.a",
        ENCOUNTER,
    ),
    # OCG I.C.20.a.6 external causes.
    Case(
        "a fall is never first",
        ["W19.XXXA", "S72.001A"],
        ["S72.001A", "W19.XXXA"],
        "External cause",
        "I.C.20.a.6",
        EXTERNAL,
    ),
    Case(
        "an external cause alone is no code set",
        ["W19.XXXA"],
        [],
        "An external cause goes with",
        "I.C.20.a.2",
        CAUSE,
    ),
    # OCG II.A: a symptom is not principal beside its related definitive diagnosis.
    Case(
        "dyspnea after pneumonia",
        ["R06.00", "J18.9", "Z66"],
        ["J18.9", "R06.00", "Z66"],
        "A symptom is not principal",
        "II.A",
        SYMPTOM,
    ),
    Case(
        "an unrelated symptom may stay first",
        ["R51.9", "N18.31"],
        ["R51.9", "N18.31"],
        None,
        "II.A",
        SYMPTOM,
    ),
    # OCG I.C.21.c.3-4 status and history codes follow the condition.
    Case(
        "DNR after pneumonia",
        ["Z66", "J18.9"],
        ["J18.9", "Z66"],
        "Status and history",
        "I.C.21.c.3",
        STATUS,
    ),
    Case(
        "insulin use after diabetes",
        ["Z79.4", "E11.9"],
        ["E11.9", "Z79.4"],
        "Status and history",
        "I.C.21.c.3",
        STATUS,
    ),
    Case(
        "history and external cause after the fracture",
        ["Z87.891", "Y92.009", "S72.001A"],
        ["S72.001A", "Z87.891", "Y92.009"],
        "Status and history",
        "I.C.21.c.4",
        HISTORY,
    ),
    # OCG I.B.4-I.B.5 signs and symptoms: flagged beside a diagnosis of their body system.
    Case(
        "cough beside pneumonia",
        ["J18.9", "R05.9"],
        ["J18.9", "R05.9"],
        "Signs and symptoms",
        "I.B.5",
        INTEGRAL,
    ),
    Case(
        "cough beside pneumonia, the policy removes it",
        ["J18.9", "R05.9"],
        ["J18.9"],
        "Signs and symptoms",
        "I.B.5",
        INTEGRAL,
        CheckPolicy(integral=Action.REMOVE),
    ),
    Case(
        "cough beside appendicitis",
        ["K35.80", "R05.9"],
        ["K35.80", "R05.9"],
        None,
        "I.B.5",
        INTEGRAL,
    ),
    # "... unless otherwise instructed by the classification": R31's Excludes1 lists the
    # conditions whose codes include hematuria; beside any other it is coded.
    Case(
        "hematuria beside a kidney stone, the policy removes integral symptoms",
        ["N20.0", "R31.9"],
        ["N20.0", "R31.9"],
        None,
        "I.B.5",
        INSTRUCTED,
        CheckPolicy(integral=Action.REMOVE),
    ),
    Case(
        "hematuria beside acute cystitis with hematuria",
        ["N30.01", "R31.9"],
        ["N30.01"],
        "Excludes1",
        "I.B.5",
        INSTRUCTED,
        CheckPolicy(excludes1=Action.REMOVE, integral=Action.REMOVE),
    ),
    # R35's "Code first, if applicable, any causal condition": polyuria beside its cause.
    Case(
        "polyuria beside hydronephrosis, the policy removes integral symptoms",
        ["N13.30", "R35.89"],
        ["N13.30", "R35.89"],
        None,
        "I.B.5",
        INSTRUCTED,
        CheckPolicy(integral=Action.REMOVE),
    ),
    Case(
        "urinary retention, no such note, beside hydronephrosis",
        ["N13.30", "R33.9"],
        ["N13.30"],
        "Signs and symptoms",
        "I.B.5",
        INTEGRAL,
        CheckPolicy(integral=Action.REMOVE),
    ),
    # OCG I.C.2.e.2: the encounter for chemotherapy is first-listed, the neoplasm after it.
    Case(
        "chemotherapy encounter first",
        ["C34.11", "Z51.11", "D70.1"],
        ["Z51.11", "C34.11", "D70.1"],
        "Encounter for antineoplastic therapy",
        "I.C.2.e.2",
        "as the first-listed or principal diagnosis",
    ),
    # OCG I.C.21.c.5, I.C.21.c.12, I.C.21.c.15, I.C.16.a.2: the encounter's own reason first.
    Case(
        "screening first",
        ["K57.30", "Z12.11", "Z80.0"],
        ["Z12.11", "K57.30", "Z80.0"],
        "The encounter's reason first-listed",
        "I.C.21.c.5",
        "A screening code may be a first-listed code if the reason for the visit is",
    ),
    Case(
        "routine child exam first",
        ["E66.811", "Z00.121", "Z68.54"],
        ["Z00.121", "E66.811", "Z68.54"],
        "The encounter's reason first-listed",
        "I.C.21.c.12",
        "should a diagnosis or condition be discovered, it should be coded as an additional",
    ),
    Case(
        "a routine exam is first-listed only",
        ["J06.9", "Z00.129"],
        ["Z00.129", "J06.9"],
        "The encounter's reason first-listed",
        "I.C.21.c.15",
        "may only be reported as the principal/first-listed diagnosis",
    ),
    Case(
        "birth record first",
        ["P59.9", "Z38.00"],
        ["Z38.00", "P59.9"],
        "The encounter's reason first-listed",
        "I.C.16.a.2",
        "assign a code from category Z38, Liveborn infants according to place of birth",
    ),
    # OCG I.C.16.a.1: the mother's record and the newborn's keep their own chapters.
    Case(
        "no obstetric code on the newborn's record",
        ["Z38.00", "P59.9", "O80", "Z3A.39"],
        ["Z38.00", "P59.9"],
        "The mother's record or the newborn's",
        "I.C.16.a.1",
        "Codes from Chapter 15, the obstetric chapter, are never permitted on the newborn record",
    ),
    Case(
        "no newborn code on the mother's record",
        ["Z38.2", "O24.420", "Z3A.39", "Z37.0"],
        ["O24.420", "Z3A.39", "Z37.0"],
        "The mother's record or the newborn's",
        "I.C.16.a.1",
        "Codes in this chapter are never for use on the maternal record",
    ),
    Case(
        "an obstetric code first",
        ["N39.0", "O23.41", "Z3A.10"],
        ["O23.41", "N39.0", "Z3A.10"],
        "Chapter 15 codes have sequencing priority",
        "I.C.15.a.1",
        "Chapter 15 codes have sequencing priority over codes from other chapters",
    ),
    # OCG I.C.19.e.5.b: a poisoning first, its manifestations after it; an adverse effect is
    # sequenced after the nature of the effect (I.C.19.e.5.a).
    Case(
        "poisoning first",
        ["R40.0", "T46.5X1A", "R00.1"],
        ["T46.5X1A", "R40.0", "R00.1"],
        "A poisoning before its manifestations",
        "I.C.19.e.5.b",
        "first assign the appropriate code from categories T36-T50",
    ),
    Case(
        "an adverse effect stays after its nature",
        ["L27.0", "T36.1X5A"],
        ["L27.0", "T36.1X5A"],
        None,
        "I.C.19.e.5.a",
        "followed by the appropriate code for the adverse effect",
    ),
    # OCG I.A.3, I.A.5, I.B.2, I.B.12 reporting.
    Case(
        "a category is not reported",
        ["E11", "I10"],
        ["I10"],
        "Billable codes only",
        "I.A.3",
        REPORTING,
    ),
    Case(
        "a code without its 7th character",
        ["S72.001", "I10"],
        ["I10"],
        "Billable codes only",
        "I.A.5",
        SEVENTH,
    ),
    Case("a code reported once", ["I10", "I10"], ["I10"], "Report a code once", "I.B.12", ONCE),
    # OCG I.C.4.a.3 / I.C.15.i: the Z79 code of an antidiabetic goes with the diabetes codes
    # whose "use additional code" notes ask for it: E11 does, E10 and O24.4 do not.
    Case(
        "type 2 with insulin",
        ["E11.9", "Z79.4"],
        ["E11.9", "Z79.4"],
        None,
        "I.C.4.a.3",
        ANTIDIABETIC,
    ),
    Case(
        "type 1: insulin is its treatment",
        ["E10.9", "Z79.4"],
        ["E10.9"],
        "antidiabetic",
        "I.C.4.a.3",
        ANTIDIABETIC,
    ),
    Case(
        "gestational diabetes on insulin",
        ["O24.414", "Z3A.30", "Z79.4"],
        ["O24.414", "Z3A.30"],
        "antidiabetic",
        "I.C.15.i",
        "should not be assigned with codes from subcategory O24.4",
    ),
    Case("insulin without a diabetes code", ["Z79.4"], ["Z79.4"], None, "I.C.4.a.3", ANTIDIABETIC),
    # OCG I.A.13 "use additional code": the CKD stage named by a range is found.
    Case(
        "E11.22 with N18.4: stage present",
        ["E11.22", "N18.4", "Z79.4"],
        ["E11.22", "N18.4", "Z79.4"],
        None,
        "I.A.13",
        "use additional code",
    ),
]


def _normalized(text: str) -> str:
    return " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_coding_rule(real_icd: IcdResources, case: Case) -> None:
    section = real_icd.guideline(case.section).text
    assert _normalized(case.quote) in _normalized(section), f"{case.section} does not say that"
    codes, checks = run_checks(real_icd, case.given, case.policy)
    assert codes == case.expected, [c.model_dump() for c in checks]
    changing = [
        c
        for c in checks
        if c.action != "flagged" or c.rule.startswith(("Excludes1", "Manifestation", "Signs"))
    ]
    if case.fires is None:
        assert not changing, [c.model_dump() for c in changing]
    else:
        assert any(case.fires in c.rule for c in changing), [c.model_dump() for c in checks]
        assert all("OCG" in c.rule for c in checks)


def test_by_default_excludes1_and_unspecified_pairs_are_flagged(real_icd: IcdResources) -> None:
    codes, checks = run_checks(real_icd, ["C26.1", "C83.00", "N18.9", "N18.4"])
    assert codes == ["C26.1", "C83.00", "N18.9", "N18.4"]
    assert [c.action for c in checks if not c.rule.startswith("Use additional")] == [
        "flagged",
        "flagged",
    ]


def test_by_default_without_complications_beside_a_complication_is_removed(
    real_icd: IcdResources,
) -> None:
    # E11.9 says the diabetes has no complication; E11.22 codes one. OCG I.C.4.a: "as many
    # codes ... as needed to identify all of the associated conditions".
    codes, checks = run_checks(real_icd, ["E11.22", "N18.31", "E11.9"])
    assert codes == ["E11.22", "N18.31"]
    (check,) = [c for c in checks if c.rule.startswith("Unspecified beside specific")]
    assert check.action == "removed E11.9"
    text = " ".join(real_icd.guideline("I.C.4.a").text.split())
    assert "as many codes" in text and "as needed to identify all of the associated" in text


def test_the_specific_code_takes_the_place_of_the_unspecified_one(real_icd: IcdResources) -> None:
    # The A/P's first diagnosis, "T2DM", reached E11.9; E11.22 codes the same diabetes.
    codes, _ = run_checks(real_icd, ["E11.9", "E78.5", "E11.22", "N18.31"])
    assert codes == ["E11.22", "E78.5", "N18.31"]
    codes, _ = run_checks(real_icd, ["E78.5", "E11.22", "N18.31", "E11.9"])
    assert codes == ["E78.5", "E11.22", "N18.31"]


MULTIPLE = "Multiple coding should not be used when the classification provides a combination"


@pytest.mark.parametrize(
    ("given", "expected", "flagged"),
    [
        # gangrene NEC, named by the appendicitis code: flagged, it never leads that code
        (["I96", "K35.31"], ["K35.31"], ["K35.31", "I96"]),
        (["E11.42", "G62.9", "E78.5"], ["E11.42", "E78.5"], None),  # diabetic polyneuropathy
        # J18.9 leaves the organism open
        (["U07.1", "J18.9", "J12.82"], ["U07.1", "J12.82"], ["U07.1", "J12.82", "J18.9"]),
        # A tabular note pairs them (OCG I.A.13): I11.0 asks for the I50 type, E11.22 for the
        # N18 stage, D63.1 codes the N18 first.
        (["I11.0", "I50.9"], ["I11.0", "I50.9"], None),
        (["E11.22", "N18.9"], ["E11.22", "N18.9"], None),
        (["N18.9", "D63.1"], ["N18.9", "D63.1"], None),
        (["G62.9", "E78.5"], ["G62.9", "E78.5"], None),  # nothing names it
        (["C80.1", "C78.01"], ["C80.1", "C78.01"], None),  # a metastasis names no primary
    ],
)
def test_a_condition_its_combination_code_names_goes(
    real_icd: IcdResources, given: list[str], expected: list[str], flagged: list[str] | None
) -> None:
    assert MULTIPLE in _normalized(real_icd.guideline("I.B.9").text)
    policy = CheckPolicy(named_symptom=Action.REMOVE)
    codes, checks = run_checks(real_icd, given, policy)
    assert codes == expected, [c.model_dump() for c in checks]
    named = [c for c in checks if c.rule.startswith("A condition the combination code names")]
    assert len(named) == len(given) - len(expected)
    # By default (CodiEsp's annotators code both) the pair is flagged for review, and the
    # combination code goes first: the part never leads it (OCG I.B.9).
    codes, checks = run_checks(real_icd, given)
    assert codes == (flagged or given)
    named = [c for c in checks if c.rule.startswith("A condition the combination code names")]
    assert [c.action for c in named] == ["flagged"] * (len(given) - len(expected))
    assert all(("Moved" in c.detail) == (flagged is not None) for c in named)


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


def test_one_list_of_alternatives_is_one_flag(real_icd: IcdResources) -> None:
    # OCG I.A.13: "use additional code to identify: ... insulin (Z79.4) ... oral antidiabetic
    # drugs (Z79.84)" lists alternatives; one flag for the list, not one per item.
    _, checks = run_checks(real_icd, ["E11.22"])
    flags = [c for c in checks if c.rule.startswith("Use additional code")]
    assert len(flags) == 2  # the Z79 list of E11, and the CKD stage (N18.1-N18.6) of E11.22
    assert sum("Z79.4" in c.detail for c in flags) == 1
    _, checks = run_checks(real_icd, ["I10"])
    assert sum(c.rule.startswith("Use additional code") for c in checks) <= 1


@pytest.mark.parametrize(
    ("rule", "cited", "quotes"),
    [
        (
            REASON_FIRST,
            "OCG II, IV.G",
            [
                ("II", "chiefly responsible for occasioning the admission"),
                ("IV.G", "shown in the medical record to be chiefly responsible for the services"),
            ],
        ),
        (
            UNSTATED_SYMPTOMS,
            "OCG I.C.18",
            [
                ("I.C.18", "when a related definitive diagnosis has not been established"),
                ("I.C.18.b", "associated routinely with a disease process should not be assigned"),
            ],
        ),
    ],
    ids=["first-listed", "unstated symptoms"],
)
def test_a_note_reading_rule_cites_sections_that_say_so(
    real_icd: IcdResources, rule: str, cited: str, quotes: list[tuple[str, str]]
) -> None:
    assert cited in rule
    for section, quote in quotes:
        assert _normalized(quote) in _normalized(real_icd.guideline(section).text), section


def test_a_symptom_the_provider_states_as_its_own_problem_stays_and_may_lead(
    real_icd: IcdResources,
) -> None:
    # OCG I.B.6: "Signs or symptoms that may not be associated routinely with a disease process
    # should be coded when present"; IV.D: symptoms are coded when no diagnosis is established.
    assert "should be coded when present" in _normalized(real_icd.guideline("I.B.6").text)
    policy = CheckPolicy(integral=Action.REMOVE)
    codes, _ = run_checks(real_icd, ["R07.9", "I10"], policy)
    assert codes == ["I10"]  # the body system's reading: chest pain is the hypertension's
    own = CheckPolicy(integral=Action.REMOVE, own_problems=frozenset({"R07.9"}))
    codes, checks = run_checks(real_icd, ["R07.9", "I10"], own)
    assert codes == ["R07.9", "I10"], [c.model_dump() for c in checks]


def test_by_default_a_named_symptom_is_flagged(real_icd: IcdResources) -> None:
    # CodiEsp's annotators code R73.9 beside E11.65; the guideline's removal is opt-in.
    codes, checks = run_checks(real_icd, ["E11.65", "R73.9"], CheckPolicy())
    assert codes == ["E11.65", "R73.9"]
    assert [c.action for c in checks if c.rule.startswith("A symptom the combination")] == [
        "flagged"
    ]
    # Flagged, the symptom never leads the code it is part of (OCG II.A).
    codes, checks = run_checks(real_icd, ["R73.9", "E78.5", "E11.65"], CheckPolicy())
    assert codes == ["E11.65", "R73.9", "E78.5"], [c.model_dump() for c in checks]
