"""Write a run's report: summary.json, report.md (a template), its plots, report.html."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jinja2

from evals.metrics import align_to_gold
from evals.plots import write_plots
from evals.private_files import private_dir, write_private
from evals.runner import read_rows, read_timings
from evals.summary import timing_summary
from graph.review_page import render_review_page

_LOADER = jinja2.PackageLoader("evals", "templates")
_HTML = jinja2.Environment(loader=_LOADER, autoescape=True)
# Markdown is not escaped; block tags take their line with them, so the template reads as the
# report it writes.
_MARKDOWN = jinja2.Environment(
    loader=_LOADER,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_MARKDOWN.filters["fmt"] = format


def write_report(run_dir: Path, summary: dict[str, Any], title: str) -> Path:
    """Write summary.json, timing.json, report.md and the PNG plots into the run directory."""
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    plots = write_plots(run_dir, summary)
    timing = timing_summary(read_timings(run_dir))
    (run_dir / "timing.json").write_text(json.dumps(timing, indent=2))
    report = run_dir / "report.md"
    report.write_text(
        _MARKDOWN.get_template("report.md.j2").render(
            title=title, summary=summary, timing=timing, plots=plots
        )
    )
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
            private_dir(run_dir / "pages")
            write_private(run_dir / page, render_review_page(row["result"], notes[row["id"]]))
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
    html = _HTML.get_template("report.html.j2").render(
        title=title, report=(run_dir / "report.md").read_text(), plots=plots, rows=table
    )
    path = run_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120] or "note"
