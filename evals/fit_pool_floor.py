"""Fit the pool ranker's floor on a training run: ``python -m evals.fit_pool_floor RUN``.

RUN is an evaluation's directory (``clh eval --split train ... --set min_pool_score=0 --out
RUN``): its final codes and each candidate's P(coded) (``funnel.pool_scores``). For each floor
tried, the final codes whose P(coded) is below it are dropped, and the micro P/R/F1 printed;
the best floor is the one ``tools/pool_ranker.py:PACKAGED_FLOOR`` records. The exemptions a run
applies (a code the note states by its specifics or under a diagnosis heading) are not in the
result, so the curve drops those too: an upper bound of what the floor removes (on the CodiEsp
train notes no code the floor reached was exempt). Only a training split is accepted: dev
measures the result.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.metrics import align_to_gold, micro_macro

FLOORS = tuple(round(0.02 * i, 2) for i in range(0, 26))
"""The floors tried: 0 (none) to 0.50."""


def kept_above(row: dict[str, Any], floor: float) -> list[str]:
    """Return a coded note's final codes whose P(coded) reaches ``floor`` (unscored ones kept)."""
    pool_scores: dict[str, float] = row["result"]["funnel"].get("pool_scores", {})
    return [code for code in row["pred"] if pool_scores.get(code, 1.0) >= floor]


def floor_curve(rows: Sequence[dict[str, Any]]) -> list[tuple[float, dict[str, float]]]:
    """Return, for each floor tried, the micro scores of the codes it keeps."""
    gold = [row["gold"] for row in rows]
    return [
        (floor, micro_macro([align_to_gold(kept_above(r, floor), r["gold"]) for r in rows], gold))
        for floor in FLOORS
    ]


def read_run(run: Path) -> list[dict[str, Any]]:
    """Return a training run's coded notes; refuse a run of another split or without scores."""
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    if not str(config.get("dataset", "")).endswith("-train"):
        raise SystemExit(f"{run}: the floor is fitted on a training split, not {config['dataset']}")
    lines = (run / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [row for row in map(json.loads, lines) if "error" not in row]
    if not any(row["result"]["funnel"].get("pool_scores") for row in rows):
        raise SystemExit(f"{run}: no pool_scores recorded (a run of clh before they were kept)")
    return rows


def main(argv: list[str] | None = None) -> None:
    """Print the floor curve of a training run, best floor marked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", type=Path, help="an evaluation directory of training notes")
    args = parser.parse_args(argv)
    curve = floor_curve(read_run(args.run))
    best = max(curve, key=lambda point: (point[1]["micro_f1"], point[0]))[0]
    print("| floor | micro P | micro R | micro F1 |\n|---:|---:|---:|---:|")
    for floor, scores in curve:
        mark = " (best)" if floor == best else ""
        print(
            f"| {floor:.2f}{mark} | {scores['micro_precision']:.3f} | "
            f"{scores['micro_recall']:.3f} | {scores['micro_f1']:.3f} |"
        )


if __name__ == "__main__":
    main()
