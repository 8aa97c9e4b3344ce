import pytest

from icd_resources import IndexSource
from tools.code_cues import NoteCues
from tools.companions import (
    bmi_codes,
    companion_searches,
    companion_walks,
    documented,
    external_cause_status,
    gestation_codes,
    noncompliance,
)


def _codes(note: str) -> list[str]:
    return [companion.code for companion, _sentence in documented(note)]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Admitted for cycle 3 of FOLFOX chemotherapy.", ["Z51.11"]),
        ("She presents for her scheduled radiation therapy session.", ["Z51.0"]),
        ("On-treatment visit. Fraction 12 of 20 to the right upper lobe.", ["Z51.0"]),
        ("Completed 30 fractions of radiation in 2019.", []),  # a past course
        ("Indication: Screening colonoscopy, average risk.", ["Z12.11"]),
        ("Colonoscopy for rectal bleeding; last screening colonoscopy 2015.", []),
        ("Well child exam, 10 y - abnormal finding: obesity.", ["Z00.121"]),
        ("Well-child check at 4 years, normal growth.", ["Z00.129"]),
        ("WELL CHILD VISIT\nWell child exam - abnormal finding: obesity.", ["Z00.121"]),
        ("Born in this hospital by spontaneous vaginal delivery at 39 weeks.", ["Z38.00"]),
        ("Born at this hospital by repeat cesarean section.", ["Z38.01"]),
        ("Reason for visit: C3D1 adjuvant chemotherapy", ["Z51.11"]),
        ("Chemotherapy was completed last year.", []),  # not this encounter's reason
        ("He quit smoking ten years ago.", ["Z87.891"]),
        ("Former smoker, 20 pack-years.", ["Z87.891"]),
        ("Current smoker, 1 ppd.", ["F17.210"]),
        ("Denies smoking. Never a smoker.", []),
        ("Dad smokes cigarettes at home (outside mostly).", []),  # exposure, not the patient's
        (
            "Medications: insulin glargine 20 units nightly, metformin 1000 mg bid.",
            ["Z79.4", "Z79.84"],
        ),
        ("On apixaban for atrial fibrillation.", ["Z79.01"]),
        ("Takes clopidogrel and aspirin 81 mg daily.", ["Z79.02", "Z79.82"]),
        ("Delivered a healthy male infant by spontaneous vaginal delivery.", ["Z37.0"]),
        ("No insulin use.", []),  # negated before the word
        # OCG I.C.21.c.3: continuous use, not a drug to avoid, stop, start later or not take
        ("Avoid NSAIDs (ibuprofen, naproxen, aspirin); resume omeprazole.", []),
        ("AFib: rate controlled; apixaban to be started in 1 week.", []),
        ("Stop aspirin, start apixaban 5 mg BID.", ["Z79.01"]),
        ("Allergies: aspirin (hives). Meds: metformin 500 mg BID.", ["Z79.84"]),
        ("Metformin was discontinued due to AKI.", []),
        ("T1DM (insulin pump d/c'd 1 yr ago), now on glargine 20 units.", ["Z79.4"]),
        ("Code status: do not resuscitate (DNR), as discussed with the family.", ["Z66"]),
        ("Code status: full code.", []),
        ("The patient is not DNR.", []),
    ],
)
def test_companions_the_note_documents(note: str, expected: list[str]) -> None:
    assert sorted(_codes(note)) == sorted(expected)


def test_each_companion_names_the_instruction_that_asks_for_it() -> None:
    (companion, sentence), *_ = documented("Admitted for cycle 2 of chemotherapy.")
    assert "OCG I.C.2.e" in companion.why and sentence.startswith("Admitted")


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("61 yo M w/ HTN, obesity (BMI 30.6), COVID-19 pneumonia.", ["Z68.30"]),
        ("Class III obesity; BMI 41 on admission, 44.2 at discharge.", ["Z68.41"]),  # most severe
        ("Anorexia nervosa, BMI 16.1 (from 17.5).", ["Z68.1"]),
        ("BMI 32.4. Acute appendicitis.", []),  # no weight diagnosis: OCG I.C.21.c.3
        ("Pregnant at 30 weeks, obesity, BMI 36.", []),
        ("9 yo with obesity, BMI at the 97th percentile.", ["Z68.54"]),
        ("9 yo with obesity, BMI 24.", []),  # a child's BMI is coded by percentile
    ],
)
def test_a_bmi_is_added_beside_the_weight_diagnosis_it_qualifies(
    note: str, expected: list[str]
) -> None:
    assert bmi_codes(note) == expected


def test_weeks_of_gestation_only_in_a_pregnancy() -> None:
    note = "G1P0 at 37 weeks gestation in active labor."
    assert gestation_codes(note, NoteCues.read(note).weeks) == ["Z3A.37"]
    delivery = "GDM dx at 27 wks. GBS positive at 36 wks. EGA at delivery: 39w2d."
    assert gestation_codes(delivery, NoteCues.read(delivery).weeks) == ["Z3A.39"]  # the latest
    other = "Cough for 3 weeks; smoker for 20 weeks."
    assert gestation_codes(other, NoteCues.read(other).weeks) == []


def test_an_injury_is_searched_for_its_cause_and_place_and_a_drug_for_its_effect() -> None:
    note = "She slipped on ice at home and fell. Rash attributed to a reaction to amoxicillin."
    searches = companion_searches(note)
    eindex = [s for s in searches if s.sources == (IndexSource.EINDEX,)]
    assert any("slipped on ice" in s.query for s in eindex)
    assert any(s.query == "place of occurrence home" for s in eindex)
    (drug,) = [s for s in searches if s.sources == (IndexSource.DRUG,)]
    assert drug.query == "amoxicillin adverse effect" and "adverse effect" in drug.context
    assert drug.sentence.startswith("Rash attributed")


def test_an_injury_sentence_is_walked_for_its_activity_and_place() -> None:
    note = "Fell while playing basketball at the gym. Twisted his ankle. Past: asthma."
    walks = [(w.main_term, w.sentence) for w in companion_walks(note)]
    assert walks == [
        ("Activity", "Fell while playing basketball at the gym."),
        ("Place of occurrence", "Fell while playing basketball at the gym."),
    ]
    assert companion_walks("Asthma exacerbation, no injury.") == []


@pytest.mark.parametrize(
    ("note", "activity", "expected"),
    [
        ("Fell from a ladder at work.", False, "Y99.0"),
        ("Fell while playing basketball.", True, "Y99.8"),
        ("Fell at home.", False, None),  # no status stated: never Y99.9 (OCG I.C.20.k)
        ("Works as a carpenter; asthma flare.", True, None),  # no injury, no status
    ],
)
def test_the_external_cause_status_is_the_one_the_note_states(
    note: str, activity: bool, expected: str | None
) -> None:
    status = external_cause_status(note, activity)
    assert (status.code if status else None) == expected
    assert status is None or "OCG I.C.20.k" in status.why and status.sentence in note


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "Intentional overdose of acetaminophen, about 30 tablets.",
            [("acetaminophen poisoning intentional self-harm", "poisoning intentional self-harm")],
        ),
        (
            "Oxycodone overdose.",
            [
                (
                    "Oxycodone poisoning accidental (unintentional)",
                    "poisoning accidental (unintentional)",
                )
            ],
        ),
        ("Ran out of his insulin 3 days ago.", [("insulin underdosing", "underdosing")]),
        (
            "Rash from an adverse effect of ceftriaxone.",
            [("ceftriaxone adverse effect", "adverse effect")],
        ),
        ("Off HCTZ; ran out of test strips.", []),  # no underdosing, no drug
        ("Off work for 2 weeks; missed doses.", []),  # no drug named
    ],
)
def test_a_drug_is_looked_up_in_the_column_its_sentence_names(
    note: str, expected: list[tuple[str, str]]
) -> None:
    searches = companion_searches(note)
    assert [(s.query, s.context.removeprefix(note + " ")) for s in searches] == expected
    assert all(s.sources == (IndexSource.DRUG,) and "OCG I.C.19.e.5" in s.why for s in searches)


@pytest.mark.parametrize(
    ("note", "code"),
    [
        ("He ran out of his insulin because he could not afford it.", "Z91.120"),
        ("She stopped taking lisinopril last month.", "Z91.128"),
        ("Missed doses of levetiracetam; she forgot.", "Z91.138"),
        ("Takes insulin daily.", None),
        ("BP 150s off HCTZ; off benzos by day 4.", None),
    ],
)
def test_underdosing_brings_the_noncompliance_it_states(note: str, code: str | None) -> None:
    found = noncompliance(note)
    assert (found[0] if found else None) == code
