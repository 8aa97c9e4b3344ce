"""Code a folder of notes (or a JSONL of them): resumable, with a CSV and review pages.

The same runner as ``clh eval`` (one JSONL line per note, notes already done are skipped);
a note that fails (an empty file, say) is recorded and tried again on the next run.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.coders import graph_note_coder, server_note_coder
from evals.datasets import load_jsonl
from evals.doc_types import Dataset, Doc
from evals.private_files import private_dir, write_private
from evals.runner import RunConfig, data_fingerprint, read_rows, run_notes, start_run
from graph.builder import build_graph
from graph.checkpoints import open_checkpointer
from graph.coding_result import CodingResult
from graph.context import Context, changed_settings
from graph.review_page import render_review_page

Progress = Callable[[int, int], None]


def load_notes(source: Path) -> Dataset:
    """Read the notes to code: a folder of ``.txt`` files, or a JSONL of ``{"id", "text"}``.

    Unreadable files and bad lines are listed in ``problems``; a file that is not UTF-8 is
    read with replacement characters and said so.

    Raises:
        FileNotFoundError: when the source does not exist.
    """
    if source.is_dir():
        return _load_folder(source)
    if source.is_file():
        return load_jsonl(source, with_gold=False)
    raise FileNotFoundError(f"no folder or JSONL file at {source}")


def _load_folder(folder: Path) -> Dataset:
    docs: list[Doc] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            problems.append(f"{path.name}: not UTF-8, unreadable bytes replaced")
        docs.append(Doc(path.stem, text, ()))
    if not docs:
        problems.append(f"no .txt notes in {folder}")
    return Dataset(folder.name, docs, problems)


@dataclass(frozen=True)
class BatchResult:
    """What one ``code_batch`` call produced."""

    run_dir: Path
    coded: int
    failed: list[str]
    csv: Path


async def code_batch(
    notes: Dataset,
    run_dir: Path,
    context: Context,
    *,
    model: str,
    concurrency: int = 1,
    html: bool = False,
    progress: Progress | None = None,
    graph: Any = None,
    server: str | None = None,
    checkpoint: str | None = None,
) -> BatchResult:
    """Code every note not yet done in ``run_dir``; write ``codes.csv`` and review pages.

    With ``server`` (a LangGraph server's URL) each note is a run there, on the server's own
    settings; otherwise the graph runs here with ``context``, keeping every step in
    ``checkpoint`` (a SQLite file or a Postgres URI) when given.

    Raises:
        ValueError: when ``run_dir`` holds a batch of other notes or settings.
    """
    start_run(
        run_dir,
        RunConfig(
            notes.name,
            f"server {server}" if server else "graph",
            context.max_passes,
            context.top_k,
            context.search_mode,
            context.decoding,
            model,
            data_fingerprint(notes),
            "" if server else changed_settings(context),
        ),
    )
    run_key = str(run_dir.resolve())
    async with AsyncExitStack() as stack:
        if server:
            coder = server_note_coder(server, run_key)
        elif checkpoint:
            saver = await stack.enter_async_context(open_checkpointer(checkpoint))
            coder = graph_note_coder(build_graph(checkpointer=saver), context, run_key=run_key)
        else:
            coder = graph_note_coder(graph or build_graph(), context)
        coded = await run_notes(notes, run_dir, coder, concurrency, progress)
    rows = read_rows(run_dir)
    path = write_csv(rows, run_dir / "codes.csv")
    if html:
        write_pages(rows, notes, run_dir / "pages")
    failed = [r["id"] for r in rows if r.get("error")]
    return BatchResult(run_dir, coded, failed, path)


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write one line per (note, code): note id, rank, code, description, evidence.

    A note with no code has one line with its id alone; a failed note, its error.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["note_id", "rank", "code", "description", "evidence", "error"])
    for row in sorted(rows, key=lambda r: str(r["id"])):
        if row.get("error"):
            writer.writerow([row["id"], "", "", "", "", row["error"]])
            continue
        codes = CodingResult.read(row["result"]).codes if "result" in row else []
        if not codes:  # coded, nothing codeable found: still one line, so it shows
            writer.writerow([row["id"], "", "", "", "", ""])
        for code in codes:
            evidence = " | ".join(s.text for s in code.evidence)
            writer.writerow([row["id"], code.rank, code.code, code.description, evidence, ""])
    return write_private(path, out.getvalue())


def write_pages(rows: list[dict[str, Any]], notes: Dataset, folder: Path) -> None:
    """Write a review page per coded note (``<folder>/<id>.html``)."""
    private_dir(folder)
    texts = {d.id: d.text for d in notes.docs}
    for row in rows:
        if "result" in row and row["id"] in texts:
            result = CodingResult.read(row["result"]).as_written()
            page = render_review_page(result, texts[row["id"]])
            write_private(folder / f"{_safe(str(row['id']))}.html", page)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120] or "note"


def run_batch(notes: Dataset, run_dir: Path, context: Context, **options: Any) -> BatchResult:
    """Run :func:`code_batch` to completion (for callers without an event loop)."""
    return asyncio.run(code_batch(notes, run_dir, context, **options))
