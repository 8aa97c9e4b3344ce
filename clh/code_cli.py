"""``clh code``: code a clinical note end to end, with live progress of the steps."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from importlib import resources as package_files
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from clh.render import result_markdown
from clh.resources_cli import load_resources
from graph.builder import build_graph
from graph.context import Context
from graph.deps import get_deps
from graph.errors import NoteError
from icd_resources import ResourceSettings
from tools.index_search import SearchSettings, build_index

_err = Console(stderr=True)
SAMPLE = "sample"


def read_note(source: str, encoding: str) -> str:
    """Read a note from a file, stdin ('-') or the bundled sample ('sample').

    Raises:
        NoteError: for unreadable files or bytes that are not in ``encoding``.
    """
    if source == SAMPLE:
        return (package_files.files("clh") / "samples" / "sample_note.txt").read_text("utf-8")
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise NoteError(f"cannot read {source}: {exc.strerror or exc}") from exc
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise NoteError(
            f"{source} is not valid {encoding} (byte 0x{data[exc.start]:02x} at position "
            f"{exc.start}); re-save it as UTF-8 or pass --encoding (e.g. latin-1)"
        ) from exc


def _describe(node: str, update: dict[str, Any]) -> str:
    if node == "prepare_pass":
        return f"pass {update.get('pass_index', '?')}: {len(update.get('chunks', []))} chunk(s)"
    if node == "evidence_extractor":
        return f"{len(update.get('findings', []))} finding(s)"
    if node == "index_navigator":
        return f"{len(update.get('candidates', []))} candidate code(s)"
    if node == "tabular_validator":
        return f"{sum(v.selected for v in update.get('verdicts', []))} code(s) verified"
    if node == "code_reconciler":
        return f"{len(update.get('codes', []))} final code(s)"
    return ""


async def _run(
    note: str, note_id: str, context: Context, checkpoint: Path | None, resume: bool
) -> dict[str, Any]:
    saver: Any = None
    if checkpoint is not None:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        saver_cm = AsyncSqliteSaver.from_conn_string(str(checkpoint))
        saver = await saver_cm.__aenter__()
    try:
        graph = build_graph(checkpointer=saver)
        config = {"configurable": {"thread_id": note_id}}
        started = time.perf_counter()
        payload: Any = None if resume else {"note": note, "note_id": note_id}
        result: dict[str, Any] = {}
        async for chunk in graph.astream(
            payload, config=config, context=context, stream_mode="updates"
        ):
            for node, update in chunk.items():
                if not isinstance(update, dict):
                    continue
                detail = _describe(node, update)
                _err.print(
                    f"[{time.perf_counter() - started:6.1f}s] {node}: {detail}",
                    markup=False,
                    highlight=False,
                )
                if "result" in update:
                    result = update["result"]
        return result
    finally:
        if saver is not None:
            await saver_cm.__aexit__(None, None, None)


def code(
    ctx: typer.Context,
    note: Annotated[str, typer.Argument(help="Note file, '-' for stdin, or 'sample'.")],
    passes: Annotated[int, typer.Option(min=1, help="Refinement passes (1 = none).")] = 1,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the JSON result (default: markdown).")
    ] = False,
    encoding: Annotated[str, typer.Option(help="Encoding of the note file.")] = "utf-8",
    note_id: Annotated[str | None, typer.Option(help="Id of the note (thread id).")] = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="SQLite file keeping every step, to resume a failed run.")
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Resume the --note-id thread from --checkpoint.")
    ] = False,
    base_url: Annotated[
        str | None, typer.Option(help="Model server URL (default: $CLH_LLM_BASE_URL or embedded).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name on that server.")] = None,
) -> None:
    """Code a clinical note: evidence, index, tabular, reconciled codes."""
    text = read_note(note, encoding)
    if not text.strip():
        raise NoteError("the note is empty: give the text of a clinical note")
    if resume and (checkpoint is None or note_id is None):
        raise NoteError("--resume needs --checkpoint and the --note-id of the run to resume")
    resources: ResourceSettings = ctx.obj
    icd = load_resources(resources)
    if resume and checkpoint is not None and note_id is not None:
        saved = asyncio.run(_finished_result(checkpoint, note_id))
        if saved is not None:
            _err.print(
                f"{note_id} already finished in {checkpoint}: its saved result",
                markup=False,
                highlight=False,
            )
            _print_result(saved, as_json)
            return
    _err.print("checking the index search collection...", markup=False, highlight=False)

    def report(done: int, total: int) -> None:
        if done == total or done % 12800 == 0:
            _err.print(f"indexing: {done}/{total} entries", markup=False, highlight=False)

    build_index(icd, SearchSettings.resolve(), resources.cache_dir, progress=report)
    context = Context(base_url=base_url, model=model, max_passes=passes)
    _err.print("starting the model...", markup=False, highlight=False)
    deps = get_deps(context)
    _err.print(
        f"model: {deps.llm.endpoint.model} at {deps.llm.endpoint.base_url}",
        markup=False,
        highlight=False,
    )
    run_id = (
        note_id
        or (Path(note).stem if note not in ("-", SAMPLE) else note) + f"-{uuid.uuid4().hex[:8]}"
    )
    _print_result(asyncio.run(_run(text, run_id, context, checkpoint, resume)), as_json)


def _print_result(result: dict[str, Any], as_json: bool) -> None:
    print(json.dumps(result, indent=2) if as_json else result_markdown(result))


async def _finished_result(checkpoint: Path, note_id: str) -> dict[str, Any] | None:
    """Return the saved result of a finished thread, None for one still to run.

    Raises:
        NoteError: when the checkpoint holds no run with this note id.
    """
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    async with AsyncSqliteSaver.from_conn_string(str(checkpoint)) as saver:
        state = await build_graph(checkpointer=saver).aget_state(
            {"configurable": {"thread_id": note_id}}
        )
    if not state.values:
        raise NoteError(
            f"{checkpoint} holds no run with note id {note_id!r}: check --note-id, or code "
            "the note without --resume"
        )
    result = state.values.get("result")
    return result if not state.next and isinstance(result, dict) else None
