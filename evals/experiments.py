"""Experiment tables: refinement passes from one run, and settings compared across runs."""

from __future__ import annotations

from typing import Any

from evals.metrics import align_to_gold, mean_average_precision, micro_macro

_COLUMNS = ("micro_precision", "micro_recall", "micro_f1", "macro_f1", "exact_match_ratio")


def codes_after_pass(row: dict[str, Any], number: int) -> list[str]:
    """Return a note's codes after pass ``number`` (a run that stopped early keeps its last)."""
    history = row.get("result", {}).get("pass_history") or [{"pass": 1, "codes": row["pred"]}]
    done = [p for p in history if p["pass"] <= number]
    return list(done[-1]["codes"]) if done else []


def passes_table(rows: list[dict[str, Any]], max_passes: int) -> str:
    """Score every pass of one checkpointed run, without recomputing earlier passes."""
    gold = [list(r["gold"]) for r in rows]
    lines = [
        "| after pass | " + " | ".join(_COLUMNS) + " | MAP | notes changed |",
        "|---:|" + "---:|" * (len(_COLUMNS) + 2),
    ]
    previous: list[list[str]] | None = None
    for number in range(1, max_passes + 1):
        pred = [align_to_gold(codes_after_pass(r, number), r["gold"]) for r in rows]
        scores = micro_macro(pred, gold)
        changed = (
            ""
            if previous is None
            else str(sum(a != b for a, b in zip(pred, previous, strict=True)))
        )
        lines.append(
            f"| {number} | "
            + " | ".join(f"{scores[c]:.3f}" for c in _COLUMNS)
            + f" | {mean_average_precision(pred, gold):.3f} | {changed} |"
        )
        previous = pred
    return "\n".join(lines)


def compare_table(setting: str, summaries: dict[str, dict[str, Any]]) -> str:
    """Put the summaries of runs that differ in one setting side by side."""
    lines = [
        f"| {setting} | notes | " + " | ".join(_COLUMNS) + " | MAP | calls/note | s/note |",
        "|---|---:|" + "---:|" * (len(_COLUMNS) + 3),
    ]
    for value, summary in summaries.items():
        scores = summary["all_gold"]
        cost = summary["cost"]
        lines.append(
            f"| {value} | {summary['notes']} | "
            + " | ".join(f"{scores[c]:.3f}" for c in _COLUMNS)
            + f" | {scores['map']:.3f} | {cost['calls_per_note']:.1f} | "
            f"{cost['seconds_per_note']:.1f} |"
        )
    return "\n".join(lines)
