"""Measure the deterministic coding checks on a finished run: how often each fires, and F1.

Reads a run's ``predictions.jsonl`` (any coder; the checks run on its ranked predictions as
the reconciler's output), applies every rule, then every rule but one, and the Excludes1
policies, and prints one table::

    python -m evals.bench_checks RUN_DIR [--policy-excludes1 remove|flag]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from evals.metrics import align_to_gold, mean_average_precision, micro_macro
from evals.runner import read_rows
from icd_resources import IcdResources
from tools.code_checks import RULES, Action, CheckPolicy, run_checks


def score(rows: Sequence[dict[str, Any]], preds: Sequence[list[str]]) -> dict[str, float]:
    """Return micro/macro F1 and MAP of predictions against the rows' gold codes."""
    gold = [list(r["gold"]) for r in rows]
    aligned = [align_to_gold(p, g) for p, g in zip(preds, gold, strict=True)]
    return {**micro_macro(aligned, gold), "map": mean_average_precision(aligned, gold)}


def checked(
    icd: IcdResources, rows: Sequence[dict[str, Any]], policy: CheckPolicy
) -> tuple[list[list[str]], Counter[str]]:
    """Apply the checks to every row's predictions; count the firings per rule and action."""
    preds: list[list[str]] = []
    fired: Counter[str] = Counter()
    for row in rows:
        codes, checks = run_checks(icd, [c for c in row["pred"] if icd.exists(c)], policy)
        preds.append(codes)
        for check in checks:
            verb = check.action.split(" ", 1)[0]
            fired[f"{check.rule} [{verb}]"] += 1
    return preds, fired


def main(argv: list[str] | None = None) -> None:
    """Print per-check counts and F1 with all checks, without each, and with none."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run_dir", type=Path)
    args = parser.parse_args(argv)
    icd = IcdResources.load()
    rows = [r for r in read_rows(args.run_dir) if "pred" in r]
    print(f"#### Coding checks on {args.run_dir} ({len(rows)} notes)\n")
    remove = CheckPolicy(excludes1=Action.REMOVE, unspecified=Action.REMOVE)
    configs: list[tuple[str, CheckPolicy]] = [
        ("all checks, pairs removed", remove),
        ("all checks, Excludes1 flagged", replace(remove, excludes1=Action.FLAG)),
        ("all checks, unspecified flagged", replace(remove, unspecified=Action.FLAG)),
        ("all checks, both flagged (default)", CheckPolicy()),
    ]
    for name, _rule in RULES:
        configs.append(
            (f"pairs removed, without {name}", replace(remove, disabled=frozenset({name})))
        )
    raw = [list(r["pred"]) for r in rows]
    table = ["| checks | micro P | micro R | micro F1 | macro F1 | MAP | codes/note |"]
    table.append("|---|---:|---:|---:|---:|---:|---:|")
    table.append(_line("none (the coder's output)", score(rows, raw), raw))
    counts: Counter[str] = Counter()
    for name, policy in configs:
        preds, fired = checked(icd, rows, policy)
        if name == "all checks, pairs removed":
            counts = fired
        table.append(_line(name, score(rows, preds), preds))
    print("\n".join(table))
    print("\n| rule [action] | times fired |\n|---|---:|")
    for rule, count in counts.most_common():
        print(f"| {rule} | {count} |")


def _line(name: str, m: dict[str, float], preds: Sequence[list[str]]) -> str:
    per_note = sum(len(p) for p in preds) / max(1, len(preds))
    return (
        f"| {name} | {m['micro_precision']:.4f} | {m['micro_recall']:.4f} | "
        f"{m['micro_f1']:.4f} | {m['macro_f1']:.4f} | {m['map']:.4f} | {per_note:.1f} |"
    )


if __name__ == "__main__":
    main()
