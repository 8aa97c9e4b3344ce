"""An observation or a result is not coded unless the provider states it (OCG III.B)."""

from __future__ import annotations

from tools.abnormal_findings import findings_only, unstated_symptoms

NOTE = """HPI: 3 days of sore throat and fever.
Exam: erythematous pharynx, tonsillar exudate. Ecchymosis L shin.
Labs: WBC 14.
Findings: internal hemorrhoids.
A/P: strep pharyngitis - amoxicillin.
"""


def _at(word: str) -> int:
    return NOTE.index(word)


def test_codes_seen_only_in_the_exam_or_labs_are_findings() -> None:
    starts = {
        "J02.0": [_at("strep pharyngitis")],
        "R50.9": [_at("fever")],
        "R58": [_at("Ecchymosis")],
        "D72.829": [_at("WBC")],
        "J02.9": [_at("erythematous pharynx"), _at("strep pharyngitis")],
        "K64.8": [_at("internal hemorrhoids")],  # a procedure's findings: the provider's word
        "Z00.00": [],
    }
    assert findings_only(list(starts), starts, NOTE) == ["R58", "D72.829"]


def test_a_note_without_such_sections_removes_nothing() -> None:
    note = "A 40-year-old with a rash on exam and a high white count."
    assert findings_only(["R21"], {"R21": [note.index("rash")]}, note) == []


LISTED = """HPI: 3 days of fever, cough and fatigue.
PRINCIPAL DIAGNOSIS: Community-acquired pneumonia
SECONDARY DIAGNOSES: Dysphagia; hypertension
Hospital course: fatigue improved. Dysphagia evaluated by speech therapy.
Chief complaint: chest pain
"""


def test_symptoms_the_stated_diagnoses_leave_out_are_the_presentation() -> None:
    def at(word: str) -> tuple[int, str]:
        return (LISTED.index(word), word)

    evidence = {
        "R50.9": [at("fever")],  # the HPI's: pneumonia explains it
        "R53.83": [at("fatigue")],
        "R13.10": [at("Dysphagia")],  # listed under the secondary diagnoses
        "R07.9": [at("chest pain")],  # a complaint, not a stated diagnosis
        "R05.9": [],
    }
    assert unstated_symptoms(list(evidence), evidence, LISTED) == ["R50.9", "R53.83", "R07.9"]
    # Stated twice, its evidence from the course: the stated words still count.
    later = {"R13.10": [(LISTED.index("Dysphagia evaluated"), "Dysphagia")]}
    assert unstated_symptoms(["R13.10"], later, LISTED) == []


def test_a_note_that_states_no_diagnosis_under_a_heading_keeps_its_symptoms() -> None:
    note = "A 40-year-old with fever. Diagnosed with pneumonia and treated."
    assert unstated_symptoms(["R50.9"], {"R50.9": [(note.index("fever"), "fever")]}, note) == []


RESTATED = """Imaging: XR R hip: displaced intertrochanteric fracture of the R femur. Lactate 4.1.
Labs: glucose 240.
A/P: 82M w/ closed displaced R intertrochanteric femur fx after a fall. No acidosis.
"""


def test_a_result_the_provider_names_again_is_stated() -> None:
    # The evidence came from the imaging line; the A/P names the fracture in its own words
    # ("fx"): three of the description's four words, two thirds or more.
    starts = {
        "S72.141A": [RESTATED.index("displaced")],
        "E87.20": [RESTATED.index("Lactate")],  # "No acidosis" is negated: not restated
        "R73.9": [RESTATED.index("glucose")],
    }
    descriptions = {
        "S72.141A": "Displaced intertrochanteric fracture of right femur, initial encounter for "
        "closed fracture",
        "E87.20": "Acidosis, unspecified",
        "R73.9": "Hyperglycemia, unspecified",
    }
    assert findings_only(list(starts), starts, RESTATED, descriptions) == ["E87.20", "R73.9"]
    assert findings_only(list(starts), starts, RESTATED) == list(starts)


def test_a_value_read_in_the_history_or_plan_is_a_result() -> None:
    note = (
        "HPI: 49 yo M, T2DM. In the ED lactate 5.1, fever 38.3, a mass of 8 cm.\n"
        "A/P: sepsis. T2DM - glucose 160-210.\n"
    )
    starts = {
        "E87.20": [note.index("lactate")],  # a test's value: the acidosis is not stated
        "R73.9": [note.index("glucose")],
        "R50.9": [note.index("fever")],  # "fever 38.3" names the fever
        "R19.00": [note.index("mass")],  # a size, not a test's value
        "E11.9": [note.index("HPI")],  # a heading before the age, not a value
        "Z68.30": [note.index("lactate")],  # a BMI's Z68 is read from its value by rule
    }
    descriptions = {
        "E87.20": "Acidosis, unspecified",
        "R73.9": "Hyperglycemia, unspecified",
        "R50.9": "Fever, unspecified",
        "R19.00": "Intra-abdominal and pelvic swelling, mass and lump, unspecified site",
        "E11.9": "Type 2 diabetes mellitus without complications",
        "Z68.30": "Body mass index [BMI] 30.0-30.9, adult",
    }
    assert findings_only(list(starts), starts, note, descriptions) == ["E87.20", "R73.9"]
    # The provider who names the acidosis states it.
    stated = note.replace("A/P: sepsis.", "A/P: sepsis with lactic acidosis.")
    assert findings_only(["E87.20"], starts, stated, descriptions) == []
