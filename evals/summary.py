"""Score a run: metrics, per-chapter and frequency recall, the per-agent funnel, cost.

The report that shows them is :mod:`evals.report`'s; its plots are :mod:`evals.plots`'.
"""

from __future__ import annotations

from collections import Counter
from statistics import mean
from typing import Any

from evals.gold import gold_report, scorable
from evals.metrics import (
    FREQUENCY_BUCKETS,
    align_to_gold,
    frequency_bucket,
    mean_average_precision,
    micro_macro,
    recall_by,
    to_category,
)
from evals.reach import Reach, reach
from icd_resources import IcdResources

CONVENTIONS = (
    "Micro scores sum TP/FP/FN over notes; macro scores average per-code scores over every code "
    "in the gold or the predictions (zero denominators score 0); MAP ranks predictions in "
    "output order. A prediction with a 7th character matches a gold code written without it "
    "(CodiEsp omits the 7th character: W19.XXX for W19.XXXA). 'all gold' keeps every gold code; "
    "'scorable gold' keeps those that are billable in the release (or billable but for the "
    "omitted 7th character)."
)


def chapter_of(icd: IcdResources, code: str) -> str:
    """Label a code by its chapter ('not in release' when its category is unknown)."""
    if icd.exists(code[:3]):
        chapter = icd.chapter_of(code[:3])
        return f"{chapter.number:02d} {chapter.first}-{chapter.last}"
    return "not in release"


def timing_summary(seconds: dict[str, float]) -> dict[str, float]:
    """Return the total, mean and median seconds per note."""
    values = sorted(seconds.values())
    return {
        "seconds_total": round(sum(values), 2),
        "seconds_per_note": round(mean(values), 2) if values else 0.0,
        "seconds_median": round(values[len(values) // 2], 2) if values else 0.0,
    }


def failure_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Count the failed model calls the runs recorded: lost branches and recovered re-asks."""
    failures = [f for r in rows for f in r.get("failures") or []]
    lost = [f for f in failures if not f.get("recovered")]
    return {
        "notes_with_a_lost_branch": sum(
            any(not f.get("recovered") for f in r.get("failures") or []) for r in rows
        ),
        "lost_branches": len(lost),
        "recovered_after_reask": len(failures) - len(lost),
    }


def summarize_run(
    rows: list[dict[str, Any]], icd: IcdResources, train_counts: Counter[str] | None = None
) -> dict[str, Any]:
    """Compute every metric of a run from its rows."""
    gold_all = [list(r["gold"]) for r in rows]
    pred = [align_to_gold(r["pred"], r["gold"]) for r in rows]
    ranked = [align_to_gold(r.get("ranked") or r["pred"], r["gold"]) for r in rows]
    gold_ok = [[c for c in g if scorable(icd, c)] for g in gold_all]
    summary: dict[str, Any] = {
        "notes": len(rows),
        "errors": [{"id": r["id"], "error": r["error"]} for r in rows if r.get("error")],
        "failures": failure_counts(rows),
        "gold_status": gold_report(icd, [c for g in gold_all for c in g]),
        "conventions": CONVENTIONS,
        "all_gold": {
            **micro_macro(pred, gold_all),
            "map": mean_average_precision(ranked, gold_all),
            **decision_counts(pred, gold_all),
        },
        "scorable_gold": {
            **micro_macro(pred, gold_ok),
            "map": mean_average_precision(ranked, gold_ok),
        },
        "category_level": micro_macro(
            [to_category(p) for p in pred], [to_category(g) for g in gold_all]
        ),
        "recall_per_chapter": dict(
            sorted(recall_by(pred, gold_all, lambda c: chapter_of(icd, c)).items())
        ),
    }
    if train_counts is not None:
        by_bucket = recall_by(pred, gold_all, lambda c: frequency_bucket(train_counts.get(c, 0)))
        summary["recall_by_train_frequency"] = {
            name: by_bucket[name] for _low, _high, name in FREQUENCY_BUCKETS if name in by_bucket
        }
    funnel_rows = [r for r in rows if r.get("funnel")]
    if funnel_rows:
        summary["funnel"] = funnel(funnel_rows)
    costs = [r["accounting"]["total"] for r in rows if r.get("accounting")]
    summary["cost"] = {
        "calls_per_note": mean(c["calls"] for c in costs) if costs else 0.0,
        "prompt_tokens_per_note": mean(c["prompt_tokens"] for c in costs) if costs else 0.0,
        "completion_tokens_per_note": mean(c["completion_tokens"] for c in costs) if costs else 0.0,
        "calls_total": sum(c["calls"] for c in costs),
        "prompt_tokens_total": sum(c["prompt_tokens"] for c in costs),
        "completion_tokens_total": sum(c["completion_tokens"] for c in costs),
    }
    return summary


def decision_counts(pred: list[list[str]], gold: list[list[str]]) -> dict[str, float]:
    """Return codes per note, gold codes per note, and the share of notes first-listed right."""
    coded = [(p, g) for p, g in zip(pred, gold, strict=True) if g]
    return {
        "codes_per_note": mean(len(p) for p in pred) if pred else 0.0,
        "gold_per_note": mean(len(g) for g in gold) if gold else 0.0,
        "first_listed": mean(bool(p) and p[0] == g[0] for p, g in coded) if coded else 0.0,
    }


def funnel(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recall and precision after each agent, end to end and filtered (paper, Table 2).

    'shown' counts a gold code as reached when an index entry shown to the navigator names it
    or an ancestor of it; later stages need the code itself. 'filtered' recall is the share of
    the gold codes reached at the previous stage that this stage keeps.
    """
    stages = ("shown", "candidates", "validated", "final")
    reached: dict[str, int] = dict.fromkeys(stages, 0)
    kept_from_previous: dict[str, int] = dict.fromkeys(stages, 0)
    predicted: dict[str, int] = dict.fromkeys(stages, 0)
    correct: dict[str, int] = dict.fromkeys(stages, 0)
    total_gold = 0
    for row in rows:
        gold = list(row["gold"])
        total_gold += len(gold)
        previous: set[str] | None = None
        for stage in stages:
            codes = row["funnel"].get(stage, [])
            if stage == "shown":
                hit = {g for g in gold if any(reach(c, g) is not Reach.NONE for c in codes)}
            else:
                aligned = set(align_to_gold(codes, gold))
                hit = {g for g in gold if g in aligned}
                predicted[stage] += len(aligned)
                correct[stage] += len(aligned & set(gold))
            reached[stage] += len(hit)
            kept_from_previous[stage] += len(hit & previous) if previous is not None else len(hit)
            previous = hit
    out = []
    prior = total_gold
    for stage in stages:
        out.append(
            {
                "stage": stage,
                "recall": reached[stage] / total_gold if total_gold else 0.0,
                "filtered_recall": kept_from_previous[stage] / prior if prior else 0.0,
                "precision": correct[stage] / predicted[stage] if predicted[stage] else None,
            }
        )
        prior = reached[stage]
    return out
