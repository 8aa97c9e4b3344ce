"""Mentions read by medspaCy rules: assertions decide which may yield a candidate."""

from __future__ import annotations

import pytest

from icd_resources import IcdResources
from tools.note_mentions import Assertion, MentionFinder, mention_vocabulary, plurals

VOCABULARY = {
    "chest pain": (1,),
    "breast cancer": (2,),
    "pneumonia": (3,),
    "hypertension": (4,),
    "diabetes": (5,),
}


@pytest.fixture(scope="module")
def finder() -> MentionFinder:
    return MentionFinder(VOCABULARY)


def only(finder: MentionFinder, text: str):
    (mention,) = finder.find(text)
    return mention


@pytest.mark.parametrize(
    ("text", "assertion"),
    [
        ("The patient denies chest pain.", Assertion.NEGATED),
        ("Her mother had breast cancer.", Assertion.FAMILY),
        ("Chest X-ray to rule out pneumonia.", Assertion.UNCERTAIN),
        ("Return if you develop chest pain.", Assertion.HYPOTHETICAL),
    ],
)
def test_negated_family_hypothetical_and_uncertain_mentions_yield_no_candidate(
    finder: MentionFinder, text: str, assertion: Assertion
) -> None:
    mention = only(finder, text)
    assert mention.assertion is assertion
    assert not mention.codeable("outpatient")


@pytest.mark.parametrize(
    "text",
    [
        "A patient without known allergies, with a history of dyslipidemia, hypertension and gout.",
        "On treatment with gliclazide (1-1-1) and acarbose to control type 2 diabetes mellitus, "
        "atorvastatin (0-0-20 mg) as prophylaxis.",
        "Denies fever; reports chest pain on exertion.",
        "No alterations in the parenchyma; a large hypertension is observed.",
    ],
)
def test_a_negation_does_not_reach_past_its_clause(finder: MentionFinder, text: str) -> None:
    mention = only(finder, text)
    assert mention.assertion is not Assertion.NEGATED and mention.codeable()


def test_a_negated_list_is_negated_to_its_last_item(finder: MentionFinder) -> None:
    mention = only(finder, "No history of nephrolithiasis, hematuria, cough or hypertension.")
    assert mention.assertion is Assertion.NEGATED


def test_an_uncertain_diagnosis_is_coded_as_established_in_inpatient_care(
    finder: MentionFinder,
) -> None:
    # OCG II.H: inpatient "rule out" diagnoses are coded as if they existed; IV.H: not outpatient.
    assert only(finder, "Admitted to rule out pneumonia.").codeable("inpatient")


@pytest.mark.parametrize(
    "text",
    [
        "Assessment: probable early community-acquired pneumonia.",
        "CXR consistent with pneumonia.",
        "Findings compatible with pneumonia.",
        "Suspected pneumonia.",
        "Working diagnosis: pneumonia.",
        "Pneumonia, still to be ruled out.",
        "Presumed pneumonia, on amoxicillin.",
    ],
)
def test_the_guidelines_terms_of_uncertainty_make_a_diagnosis_uncertain(
    finder: MentionFinder, text: str
) -> None:
    # OCG IV.H: "probable", "suspected", "compatible with", "consistent with", "working
    # diagnosis" are not coded outside inpatient care; II.H: inpatient, as if established.
    mention = only(finder, text)
    assert mention.assertion is Assertion.UNCERTAIN
    assert not mention.codeable("outpatient") and mention.codeable("inpatient")


def test_contrasting_diagnoses_are_each_uncertain_and_their_neighbours_are_not(
    finder: MentionFinder,
) -> None:
    # OCG II.D: "either/or" diagnoses; two tokens each way of "vs".
    mentions = finder.find("Hypertension, diabetes, pneumonia vs chest pain, breast cancer.")
    assertions = {m.text: m.assertion for m in mentions}
    assert assertions == {
        "Hypertension": Assertion.PRESENT,
        "diabetes": Assertion.PRESENT,
        "pneumonia": Assertion.UNCERTAIN,
        "chest pain": Assertion.UNCERTAIN,
        "breast cancer": Assertion.PRESENT,
    }
    # An uncertainty cue reaches forward only: the cough and fever before it are stated.
    (before, after) = finder.find("Chest pain and hypertension, probable pneumonia.")[1:]
    assert (before.assertion, after.assertion) == (Assertion.PRESENT, Assertion.UNCERTAIN)


@pytest.mark.parametrize(
    "text",
    [
        "Influenza vaccine given today.",
        "Vaccinated against pneumonia.",
        "Pneumonia vaccine: UTD.",
        "Cut his finger at home. Influenza last 2019. No numbness.",
        "Influenza up to date.",
        "Influenza toxoid given.",
    ],
)
def test_a_disease_named_for_its_vaccine_has_not_happened(text: str) -> None:
    # The vaccination encounter is Z23 (OCG I.C.21.c.2), not the disease.
    finder_with_flu = MentionFinder({**VOCABULARY, "influenza": (6,)})
    (mention,) = finder_with_flu.find(text)
    assert mention.assertion is Assertion.HYPOTHETICAL and not mention.codeable("inpatient")


def test_a_dated_episode_of_a_disease_is_still_the_patients() -> None:
    # "last 2019" is a last dose's date only right after the disease's name.
    finder_with_flu = MentionFinder({**VOCABULARY, "influenza": (6,)})
    (mention,) = finder_with_flu.find("Influenza in March, hospitalized, last 2019.")
    assert mention.assertion is not Assertion.HYPOTHETICAL


def test_a_present_mention_is_codeable_and_its_query_is_its_clause(
    finder: MentionFinder,
) -> None:
    text = "Seen today, type 2 diabetes with kidney complications; stable otherwise."
    mention = only(finder, text)
    assert mention.assertion is Assertion.PRESENT and mention.codeable()
    assert text[mention.start : mention.end] == "diabetes"
    assert mention.query == "type 2 diabetes with kidney complications"
    assert mention.main_terms == (5,)


def test_a_historical_mention_is_kept(finder: MentionFinder) -> None:
    mention = only(finder, "History of hypertension.")
    assert mention.assertion is Assertion.HISTORICAL and mention.codeable()


def test_sentences_are_read_too(finder: MentionFinder) -> None:
    reading = finder.read("No fever. Pneumonia of the right lower lobe.")
    assert reading.sentences == ["No fever.", "Pneumonia of the right lower lobe."]


def test_a_past_history_section_lists_current_chronic_conditions() -> None:
    # OCG I.C.21.c.4: history codes are for conditions that no longer exist; the section
    # alone does not make "diabetes on insulin" a past condition, and its title is no finding.
    finder = MentionFinder({**VOCABULARY, "history": (6,)})
    mentions = finder.find("Past history: diabetes on insulin. History of pneumonia in 2019.")
    by_text = {m.text.lower(): m for m in mentions}
    assert "history" not in by_text or by_text["history"].start > 20  # not the title
    assert by_text["diabetes"].assertion is Assertion.PRESENT
    assert by_text["pneumonia"].assertion is Assertion.HISTORICAL


@pytest.mark.parametrize(
    ("term", "plural"),
    [
        ("metastasis", "metastases"),
        ("adenopathy", "adenopathies"),
        ("bronchus", "bronchi"),
        ("diverticulum", "diverticula"),
        ("vertebra", "vertebrae"),
        ("varix", "varices"),
        ("ulcer", "ulcers"),
    ],
)
def test_notes_are_read_with_the_plurals_of_the_index_terms(term: str, plural: str) -> None:
    assert plural in plurals(term)


def test_the_vocabulary_holds_each_main_term_and_its_plurals(fixture_icd: IcdResources) -> None:
    vocabulary = mention_vocabulary(fixture_icd)
    assert vocabulary["cholera"] == vocabulary["choleras"]
    assert "aches" in vocabulary  # "Ache(s) NEC"


def test_notes_read_at_once_from_several_threads_read_as_one_at_a_time(
    finder: MentionFinder,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    notes = [
        f"Visit {i}. The patient denies chest pain (mild); pneumonia, see Dr. A.B. at 3 p.m."
        for i in range(8)
    ]
    alone = [finder.read(note) for note in notes]
    with ThreadPoolExecutor(8) as pool:  # what a server running several runs does
        for _ in range(30):
            assert list(pool.map(finder.read, notes)) == alone


def test_a_long_note_is_read_in_pieces_cut_at_line_ends() -> None:
    from tools.note_mentions import pieces

    text = "line one\n" * 5 + "tail"
    cut = pieces(text, 20)
    assert "".join(p for _o, p in cut) == text
    assert all(len(p) <= 20 for _o, p in cut) and all(text[o:].startswith(p) for o, p in cut)
    assert all(p.endswith("\n") for _o, p in cut[:-1])
    assert pieces("x" * 50, 20) == [(0, "x" * 20), (20, "x" * 20), (40, "x" * 10)]


def test_mentions_of_a_long_note_keep_their_offsets_in_the_note(
    finder: MentionFinder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tools.note_mentions as note_mentions

    monkeypatch.setattr(note_mentions, "PIECE_CHARS", 40)
    text = "Seen for pneumonia today.\n" * 4 + "The patient denies chest pain.\n"
    reading = finder.read(text)
    assert [text[m.start : m.end] for m in reading.mentions] == ["pneumonia"] * 4 + ["chest pain"]
    assert reading.mentions[-1].assertion is Assertion.NEGATED


def test_an_abbreviation_is_read_as_the_words_it_stands_for(finder: MentionFinder) -> None:
    htn, t2dm = finder.find("PMH: HTN, T2DM on metformin.")
    assert (htn.text, htn.query, htn.main_terms) == ("HTN", "hypertension", (4,))
    assert (t2dm.text, t2dm.query, t2dm.main_terms) == (
        "T2DM",
        "type 2 diabetes mellitus on metformin",
        (5,),
    )
    assert "hypertension, type 2 diabetes mellitus" in htn.sentence
    # Negated like any mention; matched as written: "htn" in lower case is no abbreviation.
    assert only(finder, "No HTN. The htn file.").assertion is Assertion.NEGATED


@pytest.mark.parametrize(
    "text",
    [
        "Aspiration pneumonia; sepsis ruled out.",
        "Sepsis was ruled out.",
        "Sepsis not confirmed.",
        "Sepsis excluded.",
    ],
)
def test_a_work_up_that_rules_a_diagnosis_out_negates_it_backward(text: str) -> None:
    finder = MentionFinder({"sepsis": (1,), "aspiration pneumonia": (2,)})
    found = {m.text.lower(): m for m in finder.find(text)}
    assert found["sepsis"].assertion is Assertion.NEGATED and found["sepsis"].ruled_out
    if "aspiration pneumonia" in found:  # two tokens back, not past the item before
        assert found["aspiration pneumonia"].assertion is Assertion.PRESENT


def test_a_rule_out_the_note_settles_is_negated() -> None:
    finder = MentionFinder({"sepsis": (1,), "aspiration": (2,)})
    settled = finder.find("Initially r/o sepsis. Sepsis was not confirmed. Likely aspiration.")
    assert [m.assertion for m in settled] == [Assertion.NEGATED] * 2 + [Assertion.UNCERTAIN]
    # A denial is no work-up: "no aspiration on the swallow study" leaves the doubt open.
    open_doubt = finder.find("Likely aspiration. Swallow study: no aspiration with thick liquids.")
    assert open_doubt[0].assertion is Assertion.UNCERTAIN


def test_the_words_of_a_cue_are_no_finding() -> None:
    finder = MentionFinder({"evidence": (1,), "sepsis": (2,)})
    assert [m.text for m in finder.find("No evidence of sepsis.")] == ["sepsis"]


def test_w_slash_o_negates_like_without() -> None:
    finder = MentionFinder({"hematoma": (1,), "fever": (2,)})
    hematoma, fever = finder.find("Radial site w/o hematoma. Fever w/ chills.")
    assert hematoma.assertion is Assertion.NEGATED
    assert fever.assertion is Assertion.PRESENT


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("Eye exam 2025: no retinopathy.", {"retinopathy"}),  # the forward "no", not ": no"
        ("Chills: no. Fever: yes.", {"chills"}),  # an answer that ends its clause
        ("Chills: no\nFever: yes", {"chills"}),
        ("Pain: none.", {"pain"}),
    ],
)
def test_a_colon_before_no_negates_what_follows_unless_the_answer_ends_there(
    text: str, negated: set[str]
) -> None:
    finder = MentionFinder({"retinopathy": (1,), "chills": (2,), "fever": (3,), "pain": (4,)})
    found = {m.text.lower(): m.assertion for m in finder.find(text)}
    assert {t for t, a in found.items() if a is Assertion.NEGATED} == negated
    assert all(a is Assertion.PRESENT for t, a in found.items() if t not in negated)


@pytest.mark.parametrize(
    "text",
    [
        "Warning signs reviewed: heavy bleeding, fever.",
        "Monitor for fever at home.",
        "Fever precautions reviewed with parents.",
    ],
)
def test_what_a_patient_is_told_to_watch_for_is_hypothetical(text: str) -> None:
    finder = MentionFinder({"fever": (1,), "bleeding": (2,)})
    fever = next(m for m in finder.find(text) if m.text.lower() == "fever")
    assert fever.assertion is Assertion.HYPOTHETICAL
    assert only(finder, "Fever to 39. Precautions reviewed.").assertion is Assertion.PRESENT


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("FHx breast cancer, cont annual mammogram.", True),
        ("Hypertension. Breast cancer (mother, sister).", True),  # the relatives just after
        ("Breast cancer (controlled), hypertension.", False),
    ],
)
def test_a_relatives_condition_is_the_familys(text: str, family: bool) -> None:
    finder = MentionFinder({"breast cancer": (1,), "hypertension": (2,)})
    found = {m.text.lower(): m.assertion for m in finder.find(text)}
    assert (found["breast cancer"] is Assertion.FAMILY) is family
    assert found.get("hypertension", Assertion.PRESENT) is Assertion.PRESENT


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("Her mother had breast cancer.", True),
        ("Mother with breast cancer - genetics referral.", True),
        ("Parents report a lump, breast cancer suspected on imaging.", False),
        ("From home w/ daughter, hx breast cancer.", False),
        ("Brought by son; known breast cancer on letrozole.", False),
        ("Wife found her confused; breast cancer on letrozole.", False),
        ("Well child exam; breast cancer screening not due.", False),
        ("PMH: breast cancer on letrozole FHx: noncontributory", False),  # FHx reads forward
    ],
)
def test_a_relative_who_tells_the_history_is_no_family_history(text: str, family: bool) -> None:
    finder = MentionFinder({"breast cancer": (1,)})
    found = {m.text.lower(): m.assertion for m in finder.find(text)}
    assert (found["breast cancer"] is Assertion.FAMILY) is family


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("Prenatal labs: Rh+, HIV/HBsAg/RPR neg.", True),
        ("Serologies for HIV and hepatitis C were negative.", True),
        ("HIV/HBsAg/RPR/rubella unremarkable.\nDischarged home.", True),
        ("HIV positive, on ART; viral load negative for resistance.", False),
        ("HIV with ER negative breast cancer.", False),  # the cue does not end its clause
    ],
)
def test_a_negative_result_negates_the_tests_before_it(text: str, negated: bool) -> None:
    finder = MentionFinder({"hiv": (1,)})
    hiv = next(m for m in finder.find(text) if m.text.lower() == "hiv")
    assert (hiv.assertion is Assertion.NEGATED) is negated


@pytest.mark.parametrize(
    ("text", "assertion"),
    [
        ("Sepsis risk: EOS calculator 0.08/1000, no eval needed.", Assertion.HYPOTHETICAL),
        ("At risk for sepsis given prolonged rupture of membranes.", Assertion.HYPOTHETICAL),
        ("Risk factors: sepsis last year, diabetes.", Assertion.PRESENT),
        ("Sepsis, high risk of recurrence.", Assertion.PRESENT),
    ],
)
def test_a_risk_is_hypothetical_its_factors_are_not(text: str, assertion: Assertion) -> None:
    finder = MentionFinder({"sepsis": (1,)})
    sepsis = next(m for m in finder.find(text) if m.text.lower() == "sepsis")
    assert sepsis.assertion is assertion


def test_a_denied_condition_lends_no_words_to_the_walk_of_another(finder: MentionFinder) -> None:
    chest_pain, diabetes = finder.find("Chest pain at rest, no diabetes.")
    assert diabetes.assertion is Assertion.NEGATED
    assert "diabetes" not in chest_pain.walk_sentence("inpatient")
    assert "chest pain" in chest_pain.walk_sentence("inpatient").lower()
    assert "diabetes" in diabetes.sentence and "diabetes" in chest_pain.sentence  # as written


@pytest.mark.parametrize(("setting", "kept"), [("inpatient", True), ("outpatient", False)])
def test_a_doubted_condition_lends_its_words_in_inpatient_care_only(
    finder: MentionFinder, setting: str, kept: bool
) -> None:
    chest_pain, pneumonia = finder.find("Chest pain, possible pneumonia.")
    assert pneumonia.assertion is Assertion.UNCERTAIN
    assert ("pneumonia" in chest_pain.walk_sentence(setting)) is kept
    assert "pneumonia" in pneumonia.walk_sentence(setting)


def test_a_word_of_the_same_term_stays_whatever_its_assertion(finder: MentionFinder) -> None:
    mentions = finder.find("No chest pain diabetes, and pneumonia.")
    assert [m.text for m in mentions] == ["chest pain", "diabetes", "pneumonia"]
    chest_pain, diabetes, _pneumonia = mentions
    assert chest_pain.assertion is Assertion.NEGATED
    assert "chest pain" in diabetes.walk_sentence("inpatient")


@pytest.mark.parametrize(("conditions", "denied"), [(("lack of appetite",), False), ((), True)])
def test_a_lack_the_index_names_is_a_condition_not_a_denial(
    conditions: tuple[str, ...], denied: bool
) -> None:
    finder = MentionFinder({"appetite": (6,), "lack of": (7,), "pneumonia": (3,)}, conditions)
    mentions = {m.text.lower(): m for m in finder.find("Weight loss and lack of appetite.")}
    assert (mentions["appetite"].assertion is Assertion.NEGATED) is denied
    assert ("lack of" in mentions) is not denied  # the main term Lack of, walked to "appetite"
    (pneumonia,) = finder.find("Lack of pneumonia on imaging.")
    assert pneumonia.assertion is Assertion.NEGATED


def test_the_old_of_an_age_is_no_mention() -> None:
    # "Old (previous)" is a main term of the index (I25.2, old myocardial infarction).
    finder = MentionFinder({"old": (6,), "pneumonia": (3,)})
    texts = [m.text for m in finder.find("A 37-year-old man, 3 days old, with old pneumonia.")]
    assert texts == ["old", "pneumonia"]
    assert [m.start for m in finder.find("Old infarct in a 70 year old.")] == [0]


def test_a_mention_keeps_the_words_it_names() -> None:
    finder = MentionFinder({"cystic": (9,), "pneumonia": (3,)})
    (mention,) = finder.find("A cystic lesion in the left kidney, stable.")
    assert mention.named_with == "cystic lesion in the"
