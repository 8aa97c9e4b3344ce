"""How well each score tells coded candidates from the rest: ``python -m evals.separation RUN...``.

Among the candidates the verifier scored in a run (the final codes and the considered ones with
a P(yes)), the area under the ROC curve of the model's P(yes) and of the pool ranker's
P(coded): 0.5 is chance, 1.0 every coded candidate above every other. A candidate is coded when
it is one of the note's gold codes (the 7th character aside, as the pool ranker is fitted). It
says which of the two scores decides on a set of notes. Then the conditions of the final codes
(each final code with the considered codes grouped under it): how many hold a gold code, how many
two or more (the annotators coded rivals a coder reports one of), and how often the code chosen
is a gold one. It measures and fits nothing, so it reads dev and the US notes as well as train.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.reach import is_coded
from evals.runner import read_rows


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    """One candidate the verifier scored, its two scores and whether the gold holds it."""

    code: str
    p_yes: float
    p_coded: float | None
    """The pool ranker's probability; None for a code no ranked lane pooled (a companion)."""
    coded: bool


@dataclass(frozen=True, slots=True)
class Separation:
    """A run's scored candidates and the AUC of each score over them."""

    candidates: int
    coded: int
    auc_yes: float | None
    ranked: int
    """Candidates with a P(coded): the pool ranker's AUC is over these."""
    auc_coded: float | None


@dataclass(frozen=True, slots=True)
class RivalGold:
    """The conditions of several codes, by how many of their codes the gold holds."""

    conditions: int
    """Final codes with at least one rival grouped under them."""
    with_gold: int
    several_gold: int
    chosen_gold: int
    """Of ``with_gold``, those whose final code is a gold one."""


def scored_candidates(row: dict[str, Any]) -> list[ScoredCandidate]:
    """Return the candidates of a coded note that carry a P(yes), final codes first."""
    result = row["result"]
    pool_scores: dict[str, float] = result["funnel"].get("pool_scores", {})
    entries = [*result["codes"], *result["considered"]]
    return [
        ScoredCandidate(
            e["code"],
            float(e["score"]),
            pool_scores.get(e["code"]),
            is_coded(e["code"], row["gold"]),
        )
        for e in entries
        if e.get("score") is not None
    ]


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Return the ROC AUC (Mann-Whitney, ties counted half); None without both classes."""
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for i in order[start : end + 1]:
            ranks[i] = (start + end) / 2 + 1
        start = end + 1
    positive_ranks = sum(r for r, label in zip(ranks, labels, strict=True) if label)
    return (positive_ranks - positives * (positives + 1) / 2) / (positives * negatives)


def separation(rows: Sequence[dict[str, Any]]) -> Separation:
    """Return the AUC of P(yes) and of P(coded) over a run's scored candidates."""
    scored = [c for row in rows if "error" not in row for c in scored_candidates(row)]
    ranked = [c for c in scored if c.p_coded is not None]
    return Separation(
        candidates=len(scored),
        coded=sum(c.coded for c in scored),
        auc_yes=auc([c.p_yes for c in scored], [c.coded for c in scored]),
        ranked=len(ranked),
        auc_coded=auc([c.p_coded or 0.0 for c in ranked], [c.coded for c in ranked]),
    )


def rival_gold(rows: Sequence[dict[str, Any]]) -> RivalGold:
    """Count the conditions of several codes by the gold codes they hold."""
    conditions = with_gold = several = chosen = 0
    for row in rows:
        if "error" in row:
            continue
        members: dict[str, list[str]] = defaultdict(list)
        for entry in row["result"]["considered"]:
            if entry.get("condition") and entry["condition"] != entry["code"]:
                members[entry["condition"]].append(entry["code"])
        for final in row["result"]["codes"]:
            rivals = members.get(final["code"], [])
            if not rivals:
                continue
            gold = [c for c in (final["code"], *rivals) if is_coded(c, row["gold"])]
            conditions += 1
            with_gold += bool(gold)
            several += len(gold) > 1
            chosen += is_coded(final["code"], row["gold"])
    return RivalGold(conditions, with_gold, several, chosen)


def _labels(runs: list[Path]) -> list[str]:
    """Name each run by its directory, or by its whole path where two directories share a name."""
    names = [run.name for run in runs]
    return [
        name if names.count(name) == 1 else str(run) for name, run in zip(names, runs, strict=True)
    ]


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> None:
    """Print the two tables, one row per run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", type=Path, nargs="+", help="evaluation directories")
    args = parser.parse_args(argv)
    labels = _labels(args.runs)
    rows = {label: read_rows(run) for label, run in zip(labels, args.runs, strict=True)}
    empty = [str(run) for label, run in zip(labels, args.runs, strict=True) if not rows[label]]
    if empty:
        parser.error(f"no coded notes (predictions.jsonl) in {', '.join(empty)}")
    print("| run | scored candidates (coded) | AUC P(yes) | with P(coded) | AUC P(coded) |")
    print("|---|---:|---:|---:|---:|")
    for name, run_rows in rows.items():
        s = separation(run_rows)
        print(
            f"| {name} | {s.candidates} ({s.coded}) | {_cell(s.auc_yes)} | {s.ranked} | "
            f"{_cell(s.auc_coded)} |"
        )
    print("\n| run | conditions of several codes | holding gold | two gold or more | chosen gold |")
    print("|---|---:|---:|---:|---:|")
    for name, run_rows in rows.items():
        r = rival_gold(run_rows)
        print(f"| {name} | {r.conditions} | {r.with_gold} | {r.several_gold} | {r.chosen_gold} |")


if __name__ == "__main__":
    main()
