"""The first-listed code is the diagnosis the note states first (OCG II, IV.G)."""

from __future__ import annotations

from tools.first_listed import (
    REASON_FIRST,
    can_lead,
    lead_statement,
    own_problems,
    reason_first,
    stated_leads,
    stated_reason,
)
from tools.note_sections import diagnosis_sections

NOTE = """CHIEF COMPLAINT: fever and dysuria
HPI: 67M with fever, dysuria. Former smoker. Pneumonia last year.
DISCHARGE DIAGNOSES:
1. Sepsis due to E. coli
2. Acute cystitis
HTN: continue lisinopril
Dispo: home
A/P: hypertension, stable
"""


def _at(word: str, nth: int = 0) -> int:
    start = -1
    for _ in range(nth + 1):
        start = NOTE.index(word, start + 1)
    return start


def test_sections_are_found_by_their_headings_and_end_at_the_next_one() -> None:
    sections = diagnosis_sections(NOTE)
    assert [(s.heading, s.rank) for s in sections] == [
        ("CHIEF COMPLAINT", 2),
        ("DISCHARGE DIAGNOSES", 0),
        ("A/P", 1),
    ]
    discharge = NOTE[sections[1].start : sections[1].end]
    # "HTN:" inside the list is not a heading; "Dispo:" is, and ends the section.
    assert "continue lisinopril" in discharge
    assert "home" not in discharge


def test_the_first_stated_discharge_diagnosis_leads() -> None:
    starts = {
        "I10": [_at("HTN"), _at("hypertension")],
        "N30.00": [_at("cystitis")],
        "A41.51": [_at("Sepsis")],
        "R50.9": [_at("fever"), _at("fever", 1)],
    }
    codes, (check,) = reason_first(["I10", "N30.00", "R50.9", "A41.51"], starts, NOTE)
    assert codes == ["A41.51", "I10", "N30.00", "R50.9"]
    assert check.rule == REASON_FIRST and check.action == "moved A41.51 before I10"
    assert "DISCHARGE DIAGNOSES" in check.detail


def test_the_assessment_then_the_reason_for_the_visit_when_no_final_diagnosis_is_stated() -> None:
    # Only the chief complaint and the A/P state these: the A/P outranks the complaint.
    starts = {"R50.9": [_at("fever")], "I10": [_at("hypertension")]}
    assert stated_reason(["R50.9", "I10"], starts, NOTE)[0] == "I10"
    assert reason_first(["R50.9"], {"R50.9": [_at("fever")]}, NOTE) == (["R50.9"], [])


def test_status_history_and_external_causes_never_lead() -> None:
    assert not can_lead("Z87.891") and not can_lead("W19.XXXA") and not can_lead("Z3A.37")
    assert can_lead("Z51.11") and can_lead("A41.51")
    note = "Discharge diagnosis: history of tobacco use; fall; hip fracture\n"
    starts = {
        "Z87.891": [note.index("history")],
        "W19.XXXA": [note.index("fall")],
        "S72.001A": [note.index("hip")],
    }
    codes, _ = reason_first(["Z87.891", "W19.XXXA", "S72.001A"], starts, note)
    assert codes[0] == "S72.001A"


def test_without_a_diagnosis_section_the_order_stays() -> None:
    note = "A 40-year-old woman with asthma and hypertension."
    starts = {"I10": [note.index("hypertension")], "J45.909": [note.index("asthma")]}
    assert reason_first(["I10", "J45.909"], starts, note) == (["I10", "J45.909"], [])


PROBLEMS = """A/P: 74M w/ COPD, T2DM, admitted with LLL pneumonia due to H. influenzae.
1. H. influenzae pneumonia, LLL - sputum cx confirms; amox/clav.
2. COPD exacerbation - prednisone.
3. T2DM - SSI.
Micro: sputum cx Haemophilus influenzae.
"""


def test_a_numbered_problem_list_is_read_before_the_summary_line() -> None:
    # The summary line names T2DM first; the provider's problem 1 is the pneumonia, stated in
    # its words though its evidence is the culture: three of J14's description words (two).
    starts = {
        "E11.9": [PROBLEMS.index("T2DM")],
        "J44.1": [PROBLEMS.index("COPD exacerbation")],
        "J14": [PROBLEMS.index("Haemophilus")],
    }
    descriptions = {
        "E11.9": "Type 2 diabetes mellitus without complications",
        "J44.1": "Chronic obstructive pulmonary disease with (acute) exacerbation",
        "J14": "Pneumonia due to Hemophilus influenzae",
    }
    codes, (check,) = reason_first(["E11.9", "J44.1", "J14"], starts, PROBLEMS, descriptions)
    assert codes == ["J14", "E11.9", "J44.1"]
    assert check.action == "moved J14 before E11.9"
    # Without the descriptions only evidence counts: problem 2's COPD leads.
    assert stated_reason(["E11.9", "J44.1", "J14"], starts, PROBLEMS)[0] == "J44.1"


def test_a_symptom_yields_to_the_diagnosis_its_statement_states() -> None:
    note = "A/P:\n1. T2DM with hyperglycemia, poorly controlled. Diabetic CKD.\n2. HTN.\n"
    starts = {"R73.9": [note.index("hyperglycemia")], "E11.22": [note.index("Diabetic")]}
    descriptions = {
        "R73.9": "Hyperglycemia, unspecified",
        "E11.22": "Type 2 diabetes mellitus with diabetic chronic kidney disease",
    }
    # R73.9 is stated in full, and earlier; OCG II.A puts the diabetes first all the same.
    codes, _checks = reason_first(["R73.9", "E11.22"], starts, note, descriptions)
    assert codes == ["E11.22", "R73.9"]
    # A symptom with no diagnosis in its statement still leads ("1. Chest pain").
    alone = "A/P:\n1. Chest pain, unclear cause.\n2. HTN.\n"
    chest = {"R07.9": [alone.index("Chest")], "I10": [alone.index("HTN")]}
    assert stated_reason(["I10", "R07.9"], chest, alone)[0] == "R07.9"


def test_the_lead_statement_names_the_codes_a_coder_would_list_first() -> None:
    statement = lead_statement(NOTE)
    assert statement is not None
    start, end = statement
    assert NOTE[start:end].strip() == "1. Sepsis due to E. coli"  # discharge diagnosis 1
    descriptions = {
        "A41.51": "Sepsis due to Escherichia coli [E. coli]",
        "A41.9": "Sepsis, unspecified organism",  # half its words: "unspecified organism"
        "Z87.891": "Personal history of nicotine dependence",  # never first
        "N30.00": "Acute cystitis without hematuria",  # the second statement's
    }
    assert stated_leads(NOTE, statement, descriptions) == ["A41.51"]
    assert lead_statement("Patient seen. Doing well.") is None


def test_a_lead_statement_names_no_code_through_the_mentions_it_doubts() -> None:
    # OCG IV.H: "probable pneumonia vs acute bronchitis" is coded as its symptoms outpatient.
    note = "Assessment: Acute cough, probable pneumonia vs acute bronchitis. CXR ordered.\n"
    statement = lead_statement(note)
    assert statement is not None
    descriptions = {"J20.9": "Acute bronchitis, unspecified", "R05.1": "Acute cough"}
    assert stated_leads(note, statement, descriptions) == ["J20.9", "R05.1"]
    doubted = [(note.index(w), note.index(w) + len(w)) for w in ("pneumonia", "acute bronchitis")]
    assert stated_leads(note, statement, descriptions, doubted) == ["R05.1"]


def test_a_discharge_summarys_primary_line_is_its_principal_diagnosis() -> None:
    note = (
        "Admit 03/21  Discharge 03/25\n"
        "Primary: Acute on chronic systolic heart failure\n"
        "Secondary: HTN, CAD s/p CABG, OSA on CPAP\n"
        "HPI: 72M with ischemic cardiomyopathy, HTN, CAD.\n"
    )
    sections = diagnosis_sections(note)
    assert [(s.heading, s.rank) for s in sections] == [("Primary", 0)]
    starts = {"I25.5": [note.index("ischemic")], "I50.23": [note.index("Acute on")]}
    codes, _checks = reason_first(["I25.5", "I50.23"], starts, note)
    assert codes[0] == "I50.23"


def test_an_operative_notes_abbreviated_headings_are_its_diagnoses() -> None:
    note = (
        "OPERATIVE NOTE\n"
        "Pre-op dx: Symptomatic cholelithiasis\n"
        "Post-op dx: Chronic cholecystitis with cholelithiasis\n"
        "Indications: 44 yo F with RUQ pain x 6 months.\n"
    )
    sections = diagnosis_sections(note)
    assert [(s.heading, s.rank) for s in sections] == [
        ("Pre-op dx", 2),
        ("Post-op dx", 0),
        ("Indications", 2),
    ]
    starts = {"R10.11": [note.index("RUQ")], "K80.10": [note.index("Chronic")]}
    codes, _checks = reason_first(["R10.11", "K80.10"], starts, note)
    assert codes[0] == "K80.10"  # the surgeon's final word, not the indication's pain


ED_NOTE = """CC: chest pain
HPI: 49 yo M with HTN, p/w L-sided chest pain x 6 hrs.
MDM: Low-risk chest pain. ACS ruled out.
ED Dx: Chest pain, unspecified
Plan: d/c home.
"""
ED_DESCRIPTIONS = {"R07.9": "Chest pain, unspecified", "I10": "Essential (primary) hypertension"}


def test_a_symptom_the_provider_states_alone_is_a_problem_of_its_own() -> None:
    # OCG IV.D: no diagnosis established for it; the hypertension is in the history.
    starts = {"R07.9": [ED_NOTE.index("chest")], "I10": [ED_NOTE.index("HTN")]}
    assert own_problems(["I10", "R07.9"], starts, ED_NOTE, ED_DESCRIPTIONS) == {"R07.9"}
    # Stated beside a diagnosis in one statement, it is that statement's symptom.
    joined = "A/P:\n1. Chest pain due to hypertension.\n"
    at = {"I10": [joined.index("hypertension")]}
    assert not own_problems(["I10", "R07.9"], at, joined, ED_DESCRIPTIONS)
    # The reason for the visit is the patient's word, not the provider's diagnosis.
    assert not own_problems(["I10", "R07.9"], {}, "CC: chest pain\nHPI: HTN.\n", ED_DESCRIPTIONS)


def test_of_two_codes_one_statement_states_alike_the_one_it_says_first_leads() -> None:
    note = "Assessment: Acute cough and fever, CXR ordered.\n"
    descriptions = {"R50.9": "Fever, unspecified", "R05.1": "Acute cough"}
    codes, _checks = reason_first(["R50.9", "R05.1"], {}, note, descriptions)
    assert codes == ["R05.1", "R50.9"]
    # An abbreviation says its words: "T2DM" says the diabetes before "hyperglycemia".
    note = "A/P:\n1. T2DM with hyperglycemia.\n"
    descriptions = {
        "R73.9": "Hyperglycemia, unspecified",
        "E11.9": "Type 2 diabetes mellitus without complications",
    }
    assert reason_first(["R73.9", "E11.9"], {}, note, descriptions)[0][0] == "E11.9"
