"""Runs of different lengths are compared on the notes they all coded."""

from __future__ import annotations

import json
from pathlib import Path

from evals.compare import common_notes, compare_runs, read_run


def write_run(run_dir: Path, preds: dict[str, list[str]], cache_hits: int = 0) -> Path:
    run_dir.mkdir()
    gold = {"a": ["A00.0"], "b": ["A00.9"], "c": ["A01"]}
    with (run_dir / "predictions.jsonl").open("w") as out:
        for note, pred in preds.items():
            cost = {"calls": 2, "prompt_tokens": 100, "completion_tokens": 2}
            row = {"id": note, "gold": gold[note], "pred": pred, "accounting": {"total": cost}}
            out.write(json.dumps(row) + "\n")
        out.write(json.dumps({"id": "c", "gold": ["A01"], "pred": [], "error": "empty"}) + "\n")
    with (run_dir / "timings.jsonl").open("w") as out:
        for seconds, note in enumerate(preds, start=1):
            out.write(json.dumps({"id": note, "seconds": seconds, "cache_hits": cache_hits}) + "\n")
    return run_dir


def test_runs_are_scored_on_their_common_notes(fixture_icd, tmp_path: Path) -> None:
    long = read_run(write_run(tmp_path / "long", {"a": ["A00.0"], "b": ["A00.0"]}))
    short = read_run(write_run(tmp_path / "short", {"a": ["A00.0"]}, cache_hits=2))
    assert common_notes([long, short]) == ["a"]  # c failed in both: not compared
    table = compare_runs([long, short], fixture_icd)
    assert table.startswith("1 notes coded by every run (of 3, 2).")
    # on note a alone, both runs are right: the long run's miss on b is not counted
    assert "| long | 1.000 | 1.000 | 1.000 |" in table
    assert "| short | 1.000 | 1.000 | 1.000 |" in table
    assert table.splitlines()[4].endswith("| 1.0 (1.0) | 2.0 | 100 | 0/2 |")
    assert table.splitlines()[5].endswith("| 2/2 |")
