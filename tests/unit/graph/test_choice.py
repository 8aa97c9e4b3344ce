from graph.nodes.choice import decide
from tools.conditions import Condition


def test_a_code_the_note_states_is_its_conditions_code_whatever_the_scores() -> None:
    conditions = [Condition(("F17.200", "Z87.891")), Condition(("I10",))]
    scores = {"F17.200": 0.8, "Z87.891": 0.55, "I10": 0.55}
    stated = {"Z87.891": "the note states former tobacco use (OCG I.C.21.c.4)"}
    decided = decide(conditions, scores, {}, 0.6, "yesno", stated)
    assert decided["Z87.891"].selected and "no score decides it" in decided["Z87.891"].why
    assert not decided["F17.200"].selected and "a rival of Z87.891" in decided["F17.200"].why
    assert not decided["I10"].selected  # below the threshold, and nothing the note states
    plain = decide(conditions, scores, {}, 0.6, "yesno")
    assert plain["F17.200"].selected and not plain["Z87.891"].selected
