from tools.code_checks import is_vague
from tools.code_cues import stated_in_full
from tools.words import content_words

NOTE = "Past history: type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3a."


def test_a_description_the_note_states_word_for_word_stems_included() -> None:
    stems = content_words(NOTE)
    assert stated_in_full("Type 2 diabetes mellitus with diabetic chronic kidney disease", stems)
    assert not stated_in_full("Type 2 diabetes mellitus with diabetic nephropathy", stems)
    assert not stated_in_full("Other specified", stems)  # nothing telling: never "stated"


def test_unspecified_descriptions_are_vague() -> None:
    assert is_vague("Type 2 diabetes mellitus without complications")
    assert is_vague("Chronic kidney disease, unspecified")
    assert not is_vague("Type 2 diabetes mellitus with diabetic chronic kidney disease")
