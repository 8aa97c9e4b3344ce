"""One table over several eval runs, scored on the notes they all coded.

Runs of different lengths (100 notes of the default, 10 of the slow generative path) are
compared on the same notes: the notes present in every run, in the first run's order. Cost
columns come from each run's own records; a run replayed from the response cache says how many
answers came from it, so its seconds are not read as the model's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, median
from typing import Any

from evals.runner import read_rows, read_timing_records
from evals.summary import summarize_run
from icd_resources import IcdResources

_STAGES = ("candidates", "validated", "final")


@dataclass(frozen=True, slots=True)
class RunRecords:
    """What one run directory holds: its rows and its per-note timings."""

    name: str
    rows: list[dict[str, Any]]
    timings: dict[str, dict[str, Any]]


def read_run(run_dir: Path) -> RunRecords:
    """Read a run's rows and timing records."""
    return RunRecords(run_dir.name, read_rows(run_dir), read_timing_records(run_dir))


def common_notes(runs: Sequence[RunRecords]) -> list[str]:
    """Return the ids every run coded without an error, in the first run's order."""
    done = [{r["id"] for r in run.rows if not r.get("error")} for run in runs]
    shared = set.intersection(*done) if done else set()
    return [r["id"] for r in runs[0].rows if r["id"] in shared] if runs else []


def compare_runs(runs: Sequence[RunRecords], icd: IcdResources) -> str:
    """Return the markdown tables (scores and cost; funnel) of the runs on their common notes."""
    ids = common_notes(runs)
    lines = [
        f"{len(ids)} notes coded by every run (of {', '.join(str(len(r.rows)) for r in runs)}).",
        "",
        "| run | micro P | micro R | micro F1 | macro F1 | MAP | codes/note (gold) "
        "| first-listed | s/note median (mean) | calls/note | prompt tokens/note "
        "| answers from cache |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    funnels = []
    wanted = set(ids)
    graded = any(r.get("gold") for run in runs for r in run.rows if r["id"] in wanted)
    if not graded:  # batch runs of notes without gold codes: nothing to score against
        lines.insert(1, "No gold codes in these runs: precision, recall and F1 are not scored.")
    for run in runs:
        rows = [r for r in run.rows if r["id"] in wanted]
        summary = summarize_run(rows, icd)
        lines.append(_score_line(run, summary, ids, graded))
        if graded and "funnel" in summary:
            funnels.append((run.name, {s["stage"]: s for s in summary["funnel"]}))
    if funnels:
        lines += ["", "| run | " + " | ".join(f"{s} R / P" for s in _STAGES) + " |"]
        lines.append("|---|" + "---:|" * len(_STAGES))
        for name, stages in funnels:
            cells = [_recall_precision(stages.get(s)) for s in _STAGES]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _score_line(run: RunRecords, summary: dict[str, Any], ids: list[str], graded: bool) -> str:
    scores, cost = summary["all_gold"], summary["cost"]
    keys = ("micro_precision", "micro_recall", "micro_f1", "macro_f1", "map")
    cells = " | ".join(f"{scores[k]:.3f}" if graded else "n/a" for k in keys)
    counts = f"{scores['codes_per_note']:.1f} ({scores['gold_per_note']:.1f}) | " + (
        f"{scores['first_listed']:.2f}" if graded else "n/a"
    )
    seconds = [float(run.timings[i]["seconds"]) for i in ids if i in run.timings]
    hits = sum(int(run.timings.get(i, {}).get("cache_hits", 0)) for i in ids)
    timing = f"{median(seconds):.1f} ({mean(seconds):.1f})" if seconds else "n/a"
    calls = cost["calls_per_note"] * len(ids)
    cached = f"{hits}/{calls:.0f}" if calls else "0"
    return (
        f"| {run.name} | {cells} | {counts} | {timing} | {cost['calls_per_note']:.1f} | "
        f"{cost['prompt_tokens_per_note']:,.0f} | {cached} |"
    )


def _recall_precision(stage: dict[str, Any] | None) -> str:
    if not stage:
        return "n/a"
    precision = stage["precision"]
    return f"{stage['recall']:.3f} / " + (f"{precision:.3f}" if precision is not None else "n/a")
