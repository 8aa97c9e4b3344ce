import pytest

from clh_llm.answers import (
    AnswerError,
    extract_answer,
    id_answer_schema,
    parse_id_answer,
    parse_json_answer,
    split_reasoning,
)


def test_answer_after_think_block() -> None:
    reply = "<think>ID 3 fits, not 1</think>\nSo: <answer>3</answer>"
    assert parse_id_answer(reply, [1, 2, 3], multiple=False) == [3]
    assert split_reasoning(reply) == ("ID 3 fits, not 1", "So: <answer>3</answer>")


def test_answer_without_think_block_and_with_id_prefix() -> None:
    assert parse_id_answer("<answer>ID: 2, ID: 5</answer>", range(1, 6), multiple=True) == [2, 5]
    assert parse_id_answer("<answer>[1, 4]</answer>", range(1, 6), multiple=True) == [1, 4]
    assert parse_id_answer("<answer>1 and 4</answer>", range(1, 6), multiple=True) == [1, 4]


def test_prompt_opened_think_and_answer_inside_reasoning_is_ignored() -> None:
    reply = "maybe <answer>1</answer>? no.</think><answer>2</answer>"
    reasoning, visible = split_reasoning(reply)
    assert "maybe" in reasoning and visible == "<answer>2</answer>"
    assert parse_id_answer(reply, [1, 2], multiple=False) == [2]


def test_unclosed_think_has_no_answer() -> None:
    with pytest.raises(AnswerError, match="no <answer>"):
        extract_answer("<think>still thinking <answer>1</answer>")


def test_several_answers_the_last_wins() -> None:
    assert parse_id_answer(
        "<answer>1</answer> wait <answer>2</answer>", [1, 2], multiple=False
    ) == [2]


def test_zero_means_none_and_duplicates_collapse() -> None:
    assert parse_id_answer("<answer>0</answer>", [1, 2], multiple=False) == []
    assert parse_id_answer("<answer></answer>", [1, 2], multiple=True) == []
    assert parse_id_answer("<answer>2, 2, 0</answer>", [1, 2], multiple=True) == [2]


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("<answer>7</answer>", "ID\\(s\\) 7 were not offered \\(offered IDs: 1-3"),
        ("<answer>the first one</answer>", "'the' is not an ID"),
        ("<answer>E11.22</answer>", "not with codes"),
        ("I pick 2", "no <answer>"),
        ("<answer>2", "not closed"),
        ("<answer>1, 2</answer>", "exactly one ID"),
    ],
)
def test_unusable_answers_say_why(reply: str, message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        parse_id_answer(reply, [1, 2, 3], multiple=False)


def test_structured_answers() -> None:
    assert parse_id_answer('{"ids": [2]}', [1, 2], multiple=False, structured=True) == [2]
    with pytest.raises(AnswerError, match="not offered"):
        parse_id_answer('{"ids": [9]}', [1, 2], multiple=True, structured=True)
    with pytest.raises(AnswerError, match="not valid JSON"):
        parse_id_answer("{ids: 2", [1, 2], multiple=True, structured=True)
    with pytest.raises(AnswerError, match="must be"):
        parse_id_answer('{"ids": ["2"]}', [1, 2], multiple=True, structured=True)


def test_schema_constrains_to_offered_ids() -> None:
    schema = id_answer_schema([1, 2, 3], multiple=False)
    assert schema["properties"]["ids"]["items"]["enum"] == [0, 1, 2, 3]
    assert schema["properties"]["ids"]["maxItems"] == 1


def test_json_answer_in_fences() -> None:
    assert parse_json_answer('<answer>```json\n["a", "b"]\n```</answer>') == ["a", "b"]


def test_a_rationale_is_shown_without_the_answer_markup() -> None:
    from clh_llm.answers import readable_rationale

    assert readable_rationale("<answer>1</answer>") == ""
    assert readable_rationale("E11.22 fits.\n<answer>2, 1</answer> done") == "E11.22 fits. done"
