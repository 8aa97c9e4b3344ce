"""The run report: report.md rendered from a summary, as the report before the template wrote it."""

from __future__ import annotations

from pathlib import Path

from evals.report import write_report

METRICS = {
    "micro_precision": 0.5,
    "micro_recall": 0.25,
    "micro_f1": 1 / 3,
    "macro_precision": 0.125,
    "macro_recall": 0.0,
    "macro_f1": 0.0,
    "exact_match_ratio": 0.0,
    "map": 0.75,
}
SUMMARY = {
    "notes": 2,
    "errors": [{"id": "b", "error": "empty"}],
    "failures": {"notes_with_a_lost_branch": 1, "lost_branches": 2, "recovered_after_reask": 0},
    "gold_status": {"billable": 3, "not in release": 1},
    "conventions": "Conventions.",
    "all_gold": METRICS,
    "scorable_gold": {**METRICS, "map": 1.0},
    "category_level": {k: v for k, v in METRICS.items() if k != "map"},
    "recall_per_chapter": {},
    "recall_by_train_frequency": {"unseen in train": (2, 0.5)},
    "funnel": [
        {"stage": "shown", "recall": 0.5, "filtered_recall": 0.5, "precision": None},
        {"stage": "final", "recall": 0.25, "filtered_recall": 0.5, "precision": 1.0},
    ],
    "cost": {
        "calls_per_note": 2.5,
        "prompt_tokens_per_note": 10.4,
        "completion_tokens_per_note": 3.6,
        "calls_total": 5,
        "prompt_tokens_total": 21,
        "completion_tokens_total": 7,
    },
}
TIME = (
    "- time: 0 s in all, 0.0 s per note (median 0.0 s; in timing.json, apart from the summary: "
    "times vary from run to run)"
)
REPORT = [
    "# Run <1>",
    "",
    "Notes: 2; errors: 1; failed model calls: notes with a lost branch 1, lost branches 2, "
    "recovered after reask 0.",
    "",
    "Conventions.",
    "",
    "## Scores",
    "",
    "| gold | micro P | micro R | micro F1 | macro P | macro R | macro F1 | EMR | MAP |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    "| all gold | 0.500 | 0.250 | 0.333 | 0.125 | 0.000 | 0.000 | 0.000 | 0.750 |",
    "| scorable gold | 0.500 | 0.250 | 0.333 | 0.125 | 0.000 | 0.000 | 0.000 | 1.000 |",
    "| categories (3 characters), all gold "
    "| 0.500 | 0.250 | 0.333 | 0.125 | 0.000 | 0.000 | 0.000 | |",
    "",
    "Gold codes by status in the release: billable: 3, not in release: 1",
    "",
    "## Per-agent funnel",
    "",
    "| after | recall | filtered recall | precision |",
    "|---|---:|---:|---:|",
    "| shown | 0.500 | 0.500 |  |",
    "| final | 0.250 | 0.500 | 1.000 |",
    "",
    "## Recall per chapter (all gold)",
    "",
    "| chapter | gold | recall |",
    "|---|---:|---:|",
    "",
    "## Recall by training frequency (CodiEsp train documents with the code)",
    "",
    "| bucket | gold | recall |",
    "|---|---:|---:|",
    "| unseen in train | 2 | 0.500 |",
    "",
    "## Cost",
    "",
    TIME,
    "- model calls: 5 (2.5 per note)",
    "- tokens: 21 prompt, 7 completion (10 / 4 per note)",
    "",
    "![funnel](funnel.png)",
]


def test_the_report_shows_every_section_the_summary_has(tmp_path: Path) -> None:
    report = write_report(tmp_path, SUMMARY, "Run <1>")
    assert report.read_text() == "\n".join(REPORT) + "\n"
    assert (tmp_path / "funnel.png").stat().st_size > 1000
    assert not (tmp_path / "recall_per_chapter.png").exists()  # no chapter to plot


def test_sections_without_data_are_left_out(tmp_path: Path) -> None:
    summary = {k: v for k, v in SUMMARY.items() if k not in ("funnel", "recall_by_train_frequency")}
    text = write_report(tmp_path, summary, "Run").read_text()
    assert "Per-agent funnel" not in text and "training frequency" not in text
    assert "release: billable: 3, not in release: 1\n\n## Recall per chapter" in text
    assert text.endswith("(10 / 4 per note)\n\n")  # no plot to link
