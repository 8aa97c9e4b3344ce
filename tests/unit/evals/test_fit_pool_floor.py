"""The pool floor's fit: final codes below a floor of P(coded) dropped, each floor scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.fit_pool_floor import floor_curve, kept_above, main


def row(pred: list[str], gold: list[str], pool_scores: dict[str, float]) -> dict[str, object]:
    return {"pred": pred, "gold": gold, "result": {"funnel": {"pool_scores": pool_scores}}}


def test_a_floor_drops_the_codes_the_ranker_finds_unlikely_and_keeps_unscored_ones() -> None:
    note = row(["I10", "R52", "Z87.891"], ["I10"], {"I10": 0.8, "R52": 0.1})
    assert kept_above(note, 0.0) == ["I10", "R52", "Z87.891"]
    assert kept_above(note, 0.16) == ["I10", "Z87.891"]  # Z87.891: a companion, never ranked


def test_the_curve_trades_recall_for_precision() -> None:
    rows = [
        row(["I10", "R52"], ["I10"], {"I10": 0.8, "R52": 0.1}),
        row(["E11.9", "N18.3"], ["E11.9", "N18.3"], {"E11.9": 0.9, "N18.3": 0.12}),
    ]
    curve = dict(floor_curve(rows))
    assert curve[0.0]["micro_precision"] == 0.75 and curve[0.0]["micro_recall"] == 1.0
    assert curve[0.12]["micro_precision"] == 1.0  # R52 gone, N18.3 kept at its own score
    assert curve[0.14]["micro_recall"] == pytest.approx(2 / 3)  # N18.3 gone too


def test_only_a_training_run_with_pool_scores_is_read(tmp_path: Path, capsys) -> None:
    lines = [
        row(["I10", "R52"], ["I10"], {"I10": 0.8, "R52": 0.1}),
        row(["E11.9", "N18.3"], ["E11.9", "N18.3"], {"E11.9": 0.9, "N18.3": 0.12}),
    ]
    (tmp_path / "predictions.jsonl").write_text("\n".join(map(json.dumps, lines)) + "\n")
    (tmp_path / "config.json").write_text(json.dumps({"dataset": "codiesp-train"}))
    main([str(tmp_path)])
    printed = capsys.readouterr().out
    assert "| 0.12 (best) | 1.000 | 1.000 | 1.000 |" in printed
    (tmp_path / "config.json").write_text(json.dumps({"dataset": "codiesp-dev"}))
    with pytest.raises(SystemExit, match="training split"):
        main([str(tmp_path)])
