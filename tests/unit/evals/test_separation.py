import json

import pytest

from evals.separation import auc, main, rival_gold, scored_candidates, separation


def _row(gold: list[str], scored: list[tuple[str, float | None, float | None]]) -> dict:
    entries = [{"code": code, "score": p_yes} for code, p_yes, _ in scored]
    pool = {code: p for code, _, p in scored if p is not None}
    return {
        "id": "n1",
        "gold": gold,
        "result": {
            "codes": entries[:1],
            "considered": entries[1:],
            "funnel": {"pool_scores": pool},
        },
    }


def test_auc_is_one_when_every_positive_scores_above_every_negative() -> None:
    assert auc([0.9, 0.8, 0.2, 0.1], [True, True, False, False]) == 1.0
    assert auc([0.1, 0.2, 0.8, 0.9], [True, True, False, False]) == 0.0


def test_auc_counts_ties_half_and_needs_both_classes() -> None:
    assert auc([0.5, 0.5], [True, False]) == pytest.approx(0.5)
    assert auc([0.9, 0.5, 0.5, 0.1], [True, True, False, False]) == pytest.approx(0.875)
    assert auc([0.9, 0.1], [True, True]) is None


def test_scored_candidates_skip_the_unscored_and_read_the_7th_character_aside() -> None:
    row = _row(
        ["S52.531", "E11.9"], [("S52.531A", 0.9, 0.4), ("E11.65", 0.8, None), ("X", None, 0.1)]
    )
    found = scored_candidates(row)
    assert [(c.code, c.coded, c.p_coded) for c in found] == [
        ("S52.531A", True, 0.4),
        ("E11.65", False, None),
    ]


def test_separation_scores_p_coded_over_the_ranked_candidates_only() -> None:
    rows = [
        _row(["A"], [("A", 0.6, 0.9), ("B", 0.9, 0.2), ("C", 0.7, None)]),
        {"id": "n2", "error": "timeout"},
    ]
    s = separation(rows)
    assert (s.candidates, s.coded, s.ranked) == (3, 1, 2)
    assert s.auc_yes == 0.0  # the coded one has the lowest P(yes)
    assert s.auc_coded == 1.0


def test_rival_gold_counts_the_conditions_by_their_gold_codes() -> None:
    def entry(code: str, condition: str) -> dict:
        return {"code": code, "score": 0.7, "condition": condition}

    row = {
        "id": "n1",
        "gold": ["D64.9", "D50.9", "I10"],
        "result": {
            "codes": [entry("D64.9", "D64.9"), entry("I10", "I10"), entry("E11.9", "E11.9")],
            "considered": [
                entry("D50.9", "D64.9"),  # both gold: the annotators coded the rival too
                entry("E11.65", "E11.9"),  # no gold in the condition
                entry("R52", "R52"),  # removed alone, not a rival
            ],
            "funnel": {},
        },
    }
    r = rival_gold([row])
    assert (r.conditions, r.with_gold, r.several_gold, r.chosen_gold) == (2, 1, 1, 1)


def test_a_directory_without_predictions_is_a_clear_error(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([str(tmp_path)])
    assert stopped.value.code == 2
    assert "no coded notes" in capsys.readouterr().err


def test_two_runs_of_one_name_are_two_rows_named_by_their_paths(tmp_path, capsys) -> None:
    for parent, gold in (("a", ["J18.9"]), ("b", ["R05.9"])):
        run = tmp_path / parent / "run"
        run.mkdir(parents=True)
        row = _row(gold, [("J18.9", 0.9, 0.8), ("R05.9", 0.4, 0.3)])
        (run / "predictions.jsonl").write_text(json.dumps(row) + "\n")
    main([str(tmp_path / "a" / "run"), str(tmp_path / "b" / "run")])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" | ")[0] for line in lines if "/run |" in line] == [
        f"| {tmp_path / 'a' / 'run'}",
        f"| {tmp_path / 'b' / 'run'}",
    ] * 2
