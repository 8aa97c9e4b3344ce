"""The plots of a run's report: recall per chapter, the per-agent funnel, seconds per note."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evals.runner import read_timings


def write_plots(run_dir: Path, summary: dict[str, Any]) -> list[Path]:
    """Draw the plots the summary has data for into the run directory as PNG files.

    Returns:
        The files written, in the order the report shows them.
    """
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
        made.append(_save(plt, fig, run_dir / "recall_per_chapter.png"))
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
        made.append(_save(plt, fig, run_dir / "funnel.png"))
    seconds = list(read_timings(run_dir).values())
    if seconds:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.hist(seconds, bins=min(20, max(3, len(seconds))))
        ax.set_xlabel("seconds per note")
        ax.set_ylabel("notes")
        ax.set_title("Cost per note")
        made.append(_save(plt, fig, run_dir / "cost_per_note.png"))
    return made


def _save(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
