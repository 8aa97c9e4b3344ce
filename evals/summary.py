"""Score a run: metrics, per-chapter and frequency recall, the per-agent funnel, cost; report."""

from __future__ import annotations

import base64
import importlib.util
import json
from collections import Counter
from pathlib import Path
from statistics import mean
from typing import Any

import jinja2

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
from evals.runner import read_rows, read_timings
from graph.review_page import render_review_page
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
    gold_ok = [[c for c in g if scorable(icd, c)] for g in gold_all]
    summary: dict[str, Any] = {
        "notes": len(rows),
        "errors": [{"id": r["id"], "error": r["error"]} for r in rows if r.get("error")],
        "failures": failure_counts(rows),
        "gold_status": gold_report(icd, [c for g in gold_all for c in g]),
        "conventions": CONVENTIONS,
        "all_gold": {**micro_macro(pred, gold_all), "map": mean_average_precision(pred, gold_all)},
        "scorable_gold": {
            **micro_macro(pred, gold_ok),
            "map": mean_average_precision(pred, gold_ok),
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


def write_report(run_dir: Path, summary: dict[str, Any], title: str) -> Path:
    """Write summary.json, report.md and the PNG plots into the run directory."""
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    plots = _plots(run_dir, summary)
    lines = [
        f"# {title}",
        "",
        f"Notes: {summary['notes']}; errors: {len(summary['errors'])}; failed model calls: "
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary["failures"].items())
        + ".",
        "",
        summary["conventions"],
        "",
        "## Scores",
        "",
        "| gold | micro P | micro R | micro F1 | macro P | macro R | macro F1 | EMR | MAP |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in (("all_gold", "all gold"), ("scorable_gold", "scorable gold")):
        m = summary[key]
        lines.append(
            f"| {label} | {m['micro_precision']:.3f} | {m['micro_recall']:.3f} | "
            f"{m['micro_f1']:.3f} | {m['macro_precision']:.3f} | "
            f"{m['macro_recall']:.3f} | {m['macro_f1']:.3f} | "
            f"{m['exact_match_ratio']:.3f} | {m['map']:.3f} |"
        )
    c = summary["category_level"]
    lines.append(
        f"| categories (3 characters), all gold | {c['micro_precision']:.3f} | "
        f"{c['micro_recall']:.3f} | {c['micro_f1']:.3f} | {c['macro_precision']:.3f} "
        f"| {c['macro_recall']:.3f} | {c['macro_f1']:.3f} | "
        f"{c['exact_match_ratio']:.3f} | |"
    )
    lines += [
        "",
        "Gold codes by status in the release: "
        + ", ".join(f"{k}: {v}" for k, v in summary["gold_status"].items()),
        "",
    ]
    if "funnel" in summary:
        lines += [
            "## Per-agent funnel",
            "",
            "| after | recall | filtered recall | precision |",
            "|---|---:|---:|---:|",
        ]
        for stage in summary["funnel"]:
            precision = "" if stage["precision"] is None else f"{stage['precision']:.3f}"
            lines.append(
                f"| {stage['stage']} | {stage['recall']:.3f} | "
                f"{stage['filtered_recall']:.3f} | {precision} |"
            )
        lines.append("")
    lines += [
        "## Recall per chapter (all gold)",
        "",
        "| chapter | gold | recall |",
        "|---|---:|---:|",
    ]
    for chapter, (count, recall) in summary["recall_per_chapter"].items():
        lines.append(f"| {chapter} | {count} | {recall:.3f} |")
    if "recall_by_train_frequency" in summary:
        lines += [
            "",
            "## Recall by training frequency (CodiEsp train documents with the code)",
            "",
            "| bucket | gold | recall |",
            "|---|---:|---:|",
        ]
        for bucket, (count, recall) in summary["recall_by_train_frequency"].items():
            lines.append(f"| {bucket} | {count} | {recall:.3f} |")
    cost = summary["cost"]
    timing = timing_summary(read_timings(run_dir))
    (run_dir / "timing.json").write_text(json.dumps(timing, indent=2))
    lines += [
        "",
        "## Cost",
        "",
        f"- time: {timing['seconds_total']:.0f} s in all, {timing['seconds_per_note']:.1f} s "
        f"per note (median {timing['seconds_median']:.1f} s; in timing.json, apart from the "
        "summary: times vary from run to run)",
        f"- model calls: {cost['calls_total']} ({cost['calls_per_note']:.1f} per note)",
        f"- tokens: {cost['prompt_tokens_total']} prompt, "
        f"{cost['completion_tokens_total']} completion "
        f"({cost['prompt_tokens_per_note']:.0f} / {cost['completion_tokens_per_note']:.0f}"
        " per note)",
        "",
    ]
    lines += [f"![{p.stem}]({p.name})" for p in plots]
    if not has_plotting():
        lines.append(PLOTS_SKIPPED)
    report = run_dir / "report.md"
    report.write_text("\n".join(lines) + "\n")
    return report


def write_html_report(
    run_dir: Path, title: str, notes: dict[str, str], *, pages: bool = True
) -> Path:
    """Write report.html (the report, plots inline, a table of notes) and review pages.

    Args:
        run_dir: a run with its report.md and plots written.
        title: the report's title.
        notes: note texts by id, for the review pages of the notes whose result was kept.
        pages: write ``pages/<id>.html`` and link them from the table.
    """
    rows = read_rows(run_dir)
    table = []
    for row in sorted(rows, key=lambda r: str(r["id"])):
        aligned = set(align_to_gold(row["pred"], row["gold"]))
        page = None
        if pages and "result" in row and row["id"] in notes:
            page = f"pages/{_file_name(str(row['id']))}.html"
            (run_dir / "pages").mkdir(exist_ok=True)
            (run_dir / page).write_text(
                render_review_page(row["result"], notes[row["id"]]), encoding="utf-8"
            )
        table.append(
            {
                "id": row["id"],
                "gold": len(row["gold"]),
                "pred": len(row["pred"]),
                "correct": len(aligned & set(row["gold"])),
                "error": row.get("error", ""),
                "page": page,
            }
        )
    plots = [
        {"name": p.stem, "data": base64.b64encode(p.read_bytes()).decode()}
        for p in sorted(run_dir.glob("*.png"))
    ]
    env = jinja2.Environment(loader=jinja2.PackageLoader("evals", "templates"), autoescape=True)
    html = env.get_template("report.html.j2").render(
        title=title, report=(run_dir / "report.md").read_text(), plots=plots, rows=table
    )
    path = run_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120] or "note"


PLOTS_SKIPPED = "Plots skipped: matplotlib is not installed (pip install 'code-like-humans[eval]')."


def has_plotting() -> bool:
    """Say whether matplotlib, which the ``eval`` extra installs, can draw the plots."""
    return importlib.util.find_spec("matplotlib") is not None


def _plots(run_dir: Path, summary: dict[str, Any]) -> list[Path]:
    if not has_plotting():
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made: list[Path] = []
    chapters = summary["recall_per_chapter"]
    if chapters:
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.bar(list(chapters), [r for _n, r in chapters.values()])
        ax.set_ylabel("recall")
        ax.set_ylim(0, 1)
        ax.set_title("Recall per ICD-10-CM chapter")
        ax.tick_params(axis="x", labelrotation=75, labelsize=7)
        fig.tight_layout()
        made.append(run_dir / "recall_per_chapter.png")
        fig.savefig(made[-1], dpi=110)
        plt.close(fig)
    if "funnel" in summary:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        stages = [s["stage"] for s in summary["funnel"]]
        ax.bar(stages, [s["recall"] for s in summary["funnel"]], label="recall")
        ax.plot(
            stages,
            [s["precision"] or 0 for s in summary["funnel"]],
            "o-",
            color="black",
            label="precision",
        )
        ax.set_ylim(0, 1)
        ax.legend()
        ax.set_title("Per-agent funnel")
        fig.tight_layout()
        made.append(run_dir / "funnel.png")
        fig.savefig(made[-1], dpi=110)
        plt.close(fig)
    seconds = list(read_timings(run_dir).values())
    if seconds:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.hist(seconds, bins=min(20, max(3, len(seconds))))
        ax.set_xlabel("seconds per note")
        ax.set_ylabel("notes")
        ax.set_title("Cost per note")
        fig.tight_layout()
        made.append(run_dir / "cost_per_note.png")
        fig.savefig(made[-1], dpi=110)
        plt.close(fig)
    return made
