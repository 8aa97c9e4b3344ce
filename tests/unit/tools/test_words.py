from tools.words import (
    TITLE_WORDS,
    content_words,
    letter_words,
    literal_words,
    plain_words,
    stem,
    telling_words,
)


def test_stem_is_the_original_porter_algorithm() -> None:
    assert stem("diabetic") == stem("diabetes") == "diabet"
    assert stem("fractures") == "fractur"
    # Where nltk's default mode departs from Porter's paper, the paper's answer is kept.
    assert stem("pathology") == "pathologi"
    assert stem("delayed") == stem("delay") == "delai"


def test_british_spellings_stem_as_the_classification_spells_them() -> None:
    assert content_words("Haemophilus influenzae") == content_words("Hemophilus influenzae")
    assert stem("oedema") == stem("edema") and stem("diarrhoea") == stem("diarrhea")
    assert stem("anaemia") == stem("anemia") and stem("faecal") == stem("fecal")
    assert stem("paediatric") == stem("pediatric") and stem("tumour") == stem("tumor")
    assert stem("hemorrhage") == stem("haemorrhage") != stem("home")


def test_content_words_drop_connectors_and_stem() -> None:
    assert content_words("Diabetes with diabetic CKD, due to Type 2") == frozenset(
        {"diabet", "ckd", "type", "2"}
    )


def test_content_words_of_nothing_is_empty() -> None:
    assert content_words("with and of the") == frozenset()
    assert content_words("") == frozenset()


def test_plain_words_keep_whole_words_of_three_characters_without_function_words() -> None:
    assert plain_words("Fracture of the left femur, with routine healing; L5 2nd") == {
        "fracture",
        "left",
        "femur",
        "routine",
        "healing",
        "2nd",
    }


def test_letter_words_read_a_cue_glued_to_a_number() -> None:
    assert letter_words("left2 knee, T2DM", min_chars=3) == frozenset({"left", "knee"})
    assert letter_words("Right eye") == frozenset({"right", "eye"})


def test_literal_words_keep_any_script() -> None:
    assert literal_words("Neumonía del lóbulo", min_chars=3) == {"neumonía", "del", "lóbulo"}


def test_title_words_leave_the_body_system() -> None:
    title = "Symptoms and signs involving the circulatory and respiratory systems"
    assert content_words(title) - TITLE_WORDS == {"circulatori", "respiratori"}
    # "cause" names no body system: R99 and the external causes chapter do not meet on it.
    r99 = content_words("Ill-defined and unknown cause of mortality") - TITLE_WORDS
    assert not r99 & (content_words("External causes of morbidity") - TITLE_WORDS)


def test_telling_words_drop_what_every_description_has() -> None:
    described = "Other specified type 2 diabetes with diabetic neuropathy, not elsewhere classified"
    assert telling_words(described) == {"2", "diabet", "neuropathi"}
