"""Listwise scored choice: each lettered option's probability from the first token's logprobs."""

from __future__ import annotations

import math

import pytest

from clh_llm.answers import NO_LOGPROBS, AnswerError, option_probabilities, yes_probability


def first_token(alternatives: dict[str, float]) -> dict[str, object]:
    """Build a choice's ``logprobs`` as the openai client returns it: token -> probability."""
    top = [{"token": t, "logprob": math.log(p), "bytes": None} for t, p in alternatives.items()]
    return {"content": [{**top[0], "top_logprobs": top}]}


def test_the_labels_share_is_normalised_over_the_labels() -> None:
    logprobs = first_token({"A": 0.5, "B": 0.2, "C": 0.1, "The": 0.2})
    probabilities = option_probabilities(logprobs, ["A", "B", "C", "D"])
    assert probabilities == pytest.approx({"A": 0.625, "B": 0.25, "C": 0.125, "D": 0.0})
    assert sum(probabilities.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("token", [" A", "A)", "(A", "A.", "a", " (a)", "A:"])
def test_spacing_punctuation_and_case_around_the_letter_count_for_the_label(token) -> None:
    probabilities = option_probabilities(first_token({token: 0.3, "B": 0.1}), ["A", "B"])
    assert probabilities == pytest.approx({"A": 0.75, "B": 0.25})


def test_variants_of_one_label_add_up() -> None:
    logprobs = first_token({"A": 0.3, " A": 0.1, "A)": 0.1, "B": 0.5})
    assert option_probabilities(logprobs, ["A", "B"]) == pytest.approx({"A": 0.5, "B": 0.5})


def test_a_word_that_starts_with_a_label_letter_is_not_that_label() -> None:
    logprobs = first_token({"Apple": 0.6, "Based": 0.2, "C": 0.1, "AB": 0.05})
    assert option_probabilities(logprobs, ["A", "B", "C"]) == pytest.approx(
        {"A": 0.0, "B": 0.0, "C": 1.0}
    )


def test_no_label_among_the_top_tokens_is_an_answer_error() -> None:
    with pytest.raises(AnswerError, match="none of the options A, B among"):
        option_probabilities(first_token({"The": 0.7, "Yes": 0.2}), ["A", "B"])


@pytest.mark.parametrize("logprobs", [None, {}, {"content": []}, {"content": None}])
def test_no_logprobs_is_the_answer_error_naming_the_fallback(logprobs) -> None:
    with pytest.raises(AnswerError) as raised:
        option_probabilities(logprobs, ["A", "B"])
    assert str(raised.value) == NO_LOGPROBS


def test_a_token_without_alternatives_counts_alone() -> None:
    logprobs = {"content": [{"token": "B", "logprob": math.log(0.9), "top_logprobs": []}]}
    assert option_probabilities(logprobs, ["A", "B"]) == pytest.approx({"A": 0.0, "B": 1.0})


def test_yes_probability_reads_the_same_first_token() -> None:
    logprobs = first_token({"Yes": 0.6, " no": 0.2, "yes": 0.1, "Maybe": 0.1})
    assert yes_probability(logprobs) == pytest.approx(0.7 / 0.9)
