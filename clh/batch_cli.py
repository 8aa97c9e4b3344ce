"""``clh batch``: code a folder of notes or a JSONL, resumably, into a CSV and review pages."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer

from clh.code_cli import (
    ContextSettings,
    check_checkpoint_store,
    prepare_coding,
    run_context,
)
from clh.outputs import check_run_dir
from clh.progress import warn, with_progress
from evals.batch import code_batch, load_notes
from evals.doc_types import Dataset


def batch(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(help="A folder of .txt notes, or a JSONL of {id, text}.")
    ],
    out: Annotated[Path, typer.Option(help="Run folder: resumes when it exists.")],
    html: Annotated[bool, typer.Option(help="Write a review page per note (pages/).")] = False,
    concurrency: Annotated[int, typer.Option(min=1, help="Notes coded at once.")] = 1,
    passes: Annotated[int, typer.Option(min=1, help="Refinement passes.")] = 1,
    base_url: Annotated[
        str | None, typer.Option(help="Model server URL (default: $CLH_LLM_BASE_URL or embedded).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name on that server.")] = None,
    server: Annotated[
        str | None,
        typer.Option(help="A LangGraph server (langgraph dev, a deployment): run notes there."),
    ] = None,
    checkpoint: Annotated[
        str | None,
        typer.Option(
            help="SQLite file or postgresql:// URI keeping every step: a note cut off "
            "mid-run resumes from its last step (not with --server: it keeps its own)."
        ),
    ] = None,
    settings: ContextSettings = None,
) -> None:
    """Code many notes: one line per note in predictions.jsonl, then codes.csv."""
    check_run_dir(out, [source])
    notes = _notes(source)
    _check_checkpoint(checkpoint, server)
    for problem in notes.problems:
        warn(f"notes: {problem}")
    context = run_context(settings, base_url=base_url, model=model, max_passes=passes)
    name = "the server's" if server else prepare_coding(ctx.obj, context)
    try:
        result = with_progress(
            lambda progress: asyncio.run(
                code_batch(
                    notes,
                    out,
                    context,
                    model=name,
                    concurrency=concurrency,
                    html=html,
                    server=server,
                    checkpoint=checkpoint,
                    progress=progress,
                )
            )
        )
    except httpx.HTTPError as exc:  # the LangGraph server of --server
        print(f"clh: error: the LangGraph server at {server} failed: {exc}", file=sys.stderr)
        raise typer.Exit(2) from exc
    failed = f"; {len(result.failed)} failed (tried again on resume)" if result.failed else ""
    print(f"coded {result.coded} new notes into {out}{failed}; codes: {result.csv}")


def _notes(source: Path) -> Dataset:
    """Read the notes to code.

    Raises:
        typer.BadParameter: for a source that cannot be read or holds no note.
    """
    try:
        notes = load_notes(source)
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    if not notes.docs:
        why = f" ({'; '.join(notes.problems)})" if notes.problems else ""
        raise typer.BadParameter(f"{source} holds no note to code{why}")
    return notes


def _check_checkpoint(checkpoint: str | None, server: str | None) -> None:
    """Refuse a checkpoint that cannot work, before any model or index is started.

    Raises:
        typer.BadParameter: for a checkpoint beside --server.
        NoteError, CheckpointError: for a checkpoint file or database that cannot be used.
    """
    if checkpoint is not None and server is not None:
        raise typer.BadParameter("--checkpoint is for runs here: a --server keeps its own")
    if checkpoint is not None:
        check_checkpoint_store(checkpoint)
