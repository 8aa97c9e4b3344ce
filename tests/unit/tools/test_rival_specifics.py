from tools.index_modifiers import note_words
from tools.rival_specifics import (
    description_words,
    evidence_sentences,
    is_stated,
    other_sides,
    rival_words,
    unstated_rivals,
)

APPENDICITIS = {
    "K35.30": "Acute appendicitis with localized peritonitis, without perforation or gangrene",
    "K35.31": "Acute appendicitis with localized peritonitis and gangrene, without perforation",
    "K35.32": "Acute appendicitis with perforation, localized peritonitis, and gangrene, "
    "without abscess",
    "K35.80": "Unspecified acute appendicitis",
}
GANGRENOUS = "Post-op dx: Acute gangrenous appendicitis with localized peritonitis, no perforation"


def _aside(descriptions: dict[str, str], note: str, named: frozenset[str] = frozenset()):
    return unstated_rivals(descriptions, note_words(evidence_sentences(note, [])), named)


def test_the_rival_the_note_states_most_of_is_kept() -> None:
    aside = _aside(APPENDICITIS, GANGRENOUS)
    assert set(aside) == {"K35.30", "K35.32", "K35.80"}  # K35.31 is the condition's code
    assert "perforation" in aside["K35.32"]  # "no perforation" states no perforation
    assert "OCG I.B.9" in aside["K35.80"] and "OCG I.A.7" in aside["K35.30"]


def test_abbreviations_and_near_stems_state_a_description() -> None:
    sleep = {"G47.30": "Sleep apnea, unspecified", "G47.33": "Obstructive sleep apnea (adult)"}
    assert set(_aside(sleep, "PMH: OSA on CPAP.")) == {"G47.30"}
    failure = {
        "J96.00": "Acute respiratory failure, unspecified whether with hypoxia or hypercapnia",
        "J96.01": "Acute respiratory failure with hypoxia",
    }
    assert set(_aside(failure, "Acute hypoxic respiratory failure d/t pneumonia.")) == {"J96.00"}
    assert set(_aside(failure, "Acute respiratory failure.")) == set()  # the model decides


def test_a_british_spelling_states_a_description() -> None:
    pneumonia = {
        "J14": "Pneumonia due to Hemophilus influenzae",
        "J18.9": "Pneumonia, unspecified organism",
    }
    note = "Sputum cx: Haemophilus influenzae. 1. H. influenzae pneumonia, LLL."
    assert set(_aside(pneumonia, note)) == {"J18.9"}


def test_an_other_code_gives_way_to_the_unspecified_one_unless_its_kind_is_named() -> None:
    lipids = {"E78.49": "Other hyperlipidemia", "E78.5": "Hyperlipidemia, unspecified"}
    assert set(_aside(lipids, "PMH: HTN, HLD.")) == {"E78.49"}  # OCG I.A.9.a
    piles = {"K64.8": "Other hemorrhoids", "K64.9": "Unspecified hemorrhoids"}
    named = frozenset({"K64.8"})  # reached by "Hemorrhoids, internal", which the note states
    assert set(_aside(piles, "Small internal hemorrhoids.", named)) == {"K64.9"}


def test_rivals_are_weighed_within_their_category() -> None:
    bladder = {
        "N31.9": "Neuromuscular dysfunction of bladder, unspecified",
        "N32.89": "Other specified disorders of bladder",
    }
    assert _aside(bladder, "Bladder dysfunction.") == {}


def test_what_a_note_need_not_state_is_not_asked() -> None:
    words = description_words(
        "Colles' fracture of right radius, subsequent encounter for closed fracture with "
        "routine healing (adult)"
    )
    assert set(words.values()) == {"colles", "radius"}  # side, encounter, parentheses aside
    assert rival_words("Type 2 diabetes mellitus without complications", frozenset()).kind == (
        "unspecified"
    )


def test_a_stem_is_stated_but_for_its_last_letter_or_so() -> None:
    stems = note_words("hypoxic, gangrenous, hypertension")
    assert is_stated("hypoxia", stems) and is_stated("gangren", stems)
    assert not is_stated("hypertroph", stems)  # "hypert" is shared, the words are not


def test_only_the_sentences_that_name_the_evidence_are_read() -> None:
    note = "Left kidney tumor, 4 cm. Renal pelvis normal.\nThe tumor was resected."
    start = note.index("tumor")
    text = evidence_sentences(note, [(start, start + len("tumor"))])
    assert "Left kidney" in text and "resected" in text and "pelvis" not in text
    assert "fever" not in evidence_sentences("Pneumonia. No fever.", [])


OTITIS = {
    "H66.41": "Suppurative otitis media, unspecified, right ear",
    "H66.42": "Suppurative otitis media, unspecified, left ear",
    "H66.93": "Otitis media, unspecified, bilateral",
}
EAR_NOTE = (
    "No prior ear infections? - 1 episode at 18 mo (R ear). R TM: pearly gray.\n"
    "1. Acute suppurative otitis media, L ear, without TM rupture\n"
)


def test_the_side_the_conditions_own_sentence_states_decides_its_rival() -> None:
    start = EAR_NOTE.index("Acute suppurative")
    sentences = evidence_sentences(EAR_NOTE, [(start, start + len("Acute"))])
    aside = other_sides(OTITIS, sentences)
    assert set(aside) == {"H66.41", "H66.93"} and "left side" in aside["H66.41"]
    assert other_sides(OTITIS, EAR_NOTE) == {}  # both sides over the whole note: no decision
    assert other_sides(OTITIS, "Otitis media.") == {}


def test_a_combination_the_note_states_leaves_its_part_no_place() -> None:
    rivals = {
        "K35.31": APPENDICITIS["K35.31"],
        "K65.9": "Peritonitis, unspecified",
    }
    stems = note_words(evidence_sentences(GANGRENOUS, []))
    aside = unstated_rivals(rivals, stems, combinations=True)
    assert set(aside) == {"K65.9"} and "OCG I.B.9" in aside["K65.9"]
    # Peritonitis, unspecified, leaves open what K35.31 states: the default sets it aside too.
    assert "leaves it unspecified" in unstated_rivals(rivals, stems)["K65.9"]
    # Not stated whole ("gangrene" missing): the model decides.
    partial = note_words("Acute appendicitis with localized peritonitis.")
    assert unstated_rivals(rivals, partial, combinations=True) == {}


def test_another_categorys_unspecified_rival_goes_only_if_the_stated_one_names_it() -> None:
    note = "Alcoholic cirrhosis of the liver with ascites. Thrombocytopenia, DIC."
    stems = note_words(note)
    cirrhosis = {
        "K70.31": "Alcoholic cirrhosis of liver with ascites",
        "K74.60": "Unspecified cirrhosis of liver",
    }
    assert set(unstated_rivals(cirrhosis, stems)) == {"K74.60"}
    # Thrombocytopenia is no kind of DIC: two conditions the model weighs.
    clotting = {
        "D65": "Disseminated intravascular coagulation [defibrination syndrome]",
        "D69.6": "Thrombocytopenia, unspecified",
    }
    assert unstated_rivals(clotting, note_words("Disseminated intravascular coagulation.")) == {}


def test_a_symptom_beside_its_stated_site_goes_only_with_named_symptom_remove() -> None:
    pain = {"R10.13": "Epigastric pain", "R52": "Pain, unspecified"}
    stems = note_words("Severe epigastric pain radiating to the back.")
    assert unstated_rivals(pain, stems) == {}  # CodiEsp's annotators code both
    assert set(unstated_rivals(pain, stems, combinations=True)) == {"R52"}
