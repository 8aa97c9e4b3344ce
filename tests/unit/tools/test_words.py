from tools.words import content_words, stem


def test_stem_is_the_original_porter_algorithm() -> None:
    assert stem("diabetic") == stem("diabetes") == "diabet"
    assert stem("fractures") == "fractur"
    # Where nltk's default mode departs from Porter's paper, the paper's answer is kept.
    assert stem("pathology") == "pathologi"
    assert stem("delayed") == stem("delay") == "delai"


def test_content_words_drop_connectors_and_stem() -> None:
    assert content_words("Diabetes with diabetic CKD, due to Type 2") == frozenset(
        {"diabet", "ckd", "type", "2"}
    )


def test_content_words_of_nothing_is_empty() -> None:
    assert content_words("with and of the") == frozenset()
    assert content_words("") == frozenset()
