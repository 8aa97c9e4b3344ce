from graph.nodes.choice import below_pool_floor, decide
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


def test_ranked_choice_takes_the_pools_best_ranked_rival_the_verifier_accepts() -> None:
    conditions = [Condition(("C67.9", "D49.4", "D41.4"))]  # in the pool's order
    scores = {"C67.9": 0.80, "D49.4": 0.84, "D41.4": 0.70}
    ranked = decide(conditions, scores, {}, 0.6, "ranked")
    assert [c for c, d in ranked.items() if d.selected] == ["C67.9"]
    assert "a rival of C67.9, which the pool ranked higher" in ranked["D49.4"].why
    yesno = decide(conditions, scores, {}, 0.6, "yesno")
    assert [c for c, d in yesno.items() if d.selected] == ["D49.4"]
    below = decide(conditions, {**scores, "C67.9": 0.55}, {}, 0.6, "ranked")
    assert [c for c, d in below.items() if d.selected] == ["D49.4"]
    none = decide(conditions, {c: 0.5 for c in scores}, {}, 0.6, "ranked")
    assert not any(d.selected for d in none.values())


def test_a_code_the_pool_ranker_finds_unlikely_to_be_coded_is_set_aside() -> None:
    conditions = [Condition(("N28.89", "N28.9")), Condition(("R52",)), Condition(("Z79.4",))]
    scores = {"N28.89": 0.75, "N28.9": 0.80, "R52": 0.85, "Z79.4": 0.70}
    decided = decide(conditions, scores, {}, 0.6, "ranked")
    pool = {"N28.89": 0.41, "N28.9": 0.30, "R52": 0.09}  # Z79.4: a companion, never ranked
    floored = below_pool_floor(decided, pool, 0.16)
    assert [c for c, d in floored.items() if d.selected] == ["N28.89", "Z79.4"]
    assert "P(coded) = 0.09, below 0.16" in floored["R52"].why
    assert floored["R52"].why.startswith(decided["R52"].why)  # the verifier's word kept
    assert below_pool_floor(decided, pool, 0.0) == decided  # no floor: nothing changes
    assert below_pool_floor(decided, pool, 0.16, exempt={"R52"})["R52"].selected
