"""``clh code``: code a clinical note end to end, with live progress of the steps."""

from __future__ import annotations

import asyncio
import codecs
import json
import re
import sys
import time
import uuid
from importlib import resources as package_files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import jinja2
import typer
from rich.console import Console

from clh.outputs import check_output, has_prefix
from clh.progress import INDEX_UNITS, PhaseReporter, describe_update, say_line
from clh.render import result_markdown
from clh.resources_cli import load_resources
from evals.private_files import write_private
from graph.errors import NoteError
from graph.note_identity import note_sha256, same_note_or_say

if TYPE_CHECKING:
    from graph.context import Context
    from icd_resources import ResourceSettings

# The graph, the model client and the index are imported by the functions that use them:
# `clh review` and `clh --help` load this module and need none of them.

_err = Console(stderr=True)
SAMPLE = "sample"


def read_note(source: str, encoding: str) -> str:
    """Read a note from a file, stdin ('-') or the bundled sample ('sample').

    Raises:
        NoteError: for unreadable files or bytes that are not in ``encoding``.
    """
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise NoteError(
            f"unknown encoding {encoding!r}: use a Python codec name such as utf-8, latin-1 "
            "or cp1252"
        ) from exc
    if not source.strip():
        raise NoteError("the note path is empty: give a note file, '-' for stdin, or 'sample'")
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


_SQLITE_HEADER = b"SQLite format 3\x00"


def check_checkpoint(path: Path, *, resume: bool) -> None:
    """Refuse a checkpoint path that cannot work, before any model or index is started.

    Raises:
        NoteError: for a missing directory, a directory, a file that is not SQLite, or
            ``--resume`` from a file that does not exist.
    """
    if path.is_dir():
        raise NoteError(f"--checkpoint {path} is a directory: give a file, e.g. {path}/runs.sqlite")
    if not path.parent.is_dir():
        raise NoteError(f"--checkpoint {path}: the directory {path.parent} does not exist")
    if not path.exists():
        if resume:
            raise NoteError(f"--resume: no checkpoint file at {path}")
        return
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise NoteError(f"--checkpoint {path} cannot be read: {exc.strerror}") from exc
    if header and header != _SQLITE_HEADER:
        raise NoteError(f"--checkpoint {path} is not a SQLite checkpoint file: give another path")


async def _run(
    note: str, note_id: str, context: Context, checkpoint: str | None, resume: bool
) -> dict[str, Any]:
    from graph.builder import build_graph
    from graph.checkpoints import open_checkpointer

    if checkpoint is None:
        return await _stream(build_graph(), note, note_id, context, resume)
    async with open_checkpointer(checkpoint) as saver:
        return await _stream(build_graph(checkpointer=saver), note, note_id, context, resume)


async def _stream(
    graph: Any, note: str, note_id: str, context: Context, resume: bool
) -> dict[str, Any]:
    """Run the graph, printing one progress line per finished node; return the result."""
    config = {"configurable": {"thread_id": note_id}}
    started = time.perf_counter()
    payload: Any = None if resume else {"note": note, "note_id": note_id}
    result: dict[str, Any] = {}
    async for chunk in graph.astream(
        payload, config=config, context=context, stream_mode="updates"
    ):
        for node, update in chunk.items():
            if node.startswith("__") or not isinstance(update, dict):
                continue  # LangGraph's own keys (__metadata__, __interrupt__)
            _err.print(
                f"[{time.perf_counter() - started:6.1f}s] {node}: {describe_update(node, update)}",
                markup=False,
                highlight=False,
            )
            if "result" in update:
                result = update["result"]
    return result


ContextSettings = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="A run setting as field=value (repeatable), e.g. --set lanes=walk --set "
        "extractor=true --set calibration=none; the fields are Context's (see README).",
    ),
]


def run_context(settings: list[str] | None, **fields: Any) -> Context:
    """Return the run's Context from the options and ``--set`` pairs.

    Raises:
        typer.BadParameter: for an unknown field or a value its type does not take.
    """
    from graph.context import Context, context_overrides

    try:
        return Context(**fields, **context_overrides(settings or []))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


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
        str | None,
        typer.Option(
            help="SQLite file or postgresql:// URI keeping every step, to resume a failed run."
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Resume the --note-id thread from --checkpoint.")
    ] = False,
    base_url: Annotated[
        str | None, typer.Option(help="Model server URL (default: $CLH_LLM_BASE_URL or embedded).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model name on that server.")] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write the review page (one offline HTML file).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Overwrite an existing --html file clh did not write.")
    ] = False,
    settings: ContextSettings = None,
    explain_plan: Annotated[
        bool,
        typer.Option(
            "--explain-plan", help="Print what the run would do (its plan) and code nothing."
        ),
    ] = False,
) -> None:
    """Code a clinical note: evidence, index, tabular, reconciled codes."""
    resources: ResourceSettings = ctx.obj
    context = run_context(settings, base_url=base_url, model=model, max_passes=passes)
    if explain_plan:
        print(run_plan_text(resources, context))
        return
    text = read_note(note, encoding)
    if not text.strip():
        raise NoteError("the note is empty: give the text of a clinical note")
    check_outputs(note, checkpoint, note_id, resume=resume, html=html, force=force)
    load_resources(resources)
    if resume and checkpoint is not None and note_id is not None:
        saved = _saved_result(checkpoint, note_id, text)
        if saved is not None:
            _print_and_review(saved, text, as_json, html)
            return
    prepare_coding(resources, context)
    result = asyncio.run(_run(text, note_id or _new_run_id(note), context, checkpoint, resume))
    _print_and_review(result, text, as_json, html)


def _saved_result(checkpoint: str, note_id: str, text: str) -> dict[str, Any] | None:
    """Return the saved result of a finished thread, saying so, or None for one still to run."""
    from graph.checkpoints import masked

    saved = asyncio.run(_finished_result(checkpoint, note_id, text))
    if saved is not None:
        done = f"{note_id} already finished in {masked(checkpoint)}: its saved result"
        _err.print(done, markup=False, highlight=False)
    return saved


def _new_run_id(note: str) -> str:
    """Return a fresh thread id named after the note file ('-' or 'sample' as they are)."""
    return (Path(note).stem if note not in ("-", SAMPLE) else note) + f"-{uuid.uuid4().hex[:8]}"


def _print_and_review(result: dict[str, Any], note: str, as_json: bool, html: Path | None) -> None:
    """Print a result (refusing one no model answered) and write its review page if asked."""
    refuse_unanswered(result)
    _print_result(result, as_json)
    write_review_page(result, note, html)


def run_plan_text(resources: ResourceSettings, context: Context) -> str:
    """Return the plan a run with this context would follow, starting no model or index."""
    from clh_llm.chat import expected_model
    from graph.deps import model_settings
    from graph.plan import build_plan

    settings = model_settings(context)
    icd = load_resources(resources)
    plan = build_plan(context, settings, model=expected_model(settings), release=icd.release)
    return plan.describe()


def check_outputs(
    note: str,
    checkpoint: str | None,
    note_id: str | None,
    *,
    resume: bool,
    html: Path | None,
    force: bool,
) -> None:
    """Refuse checkpoint and page options that cannot work, before any model is started.

    Raises:
        NoteError: for ``--resume`` without its options, an unusable checkpoint, or an
            ``--html`` file clh did not write (without ``--force``).
    """
    from graph.checkpoints import is_postgres

    if resume and (checkpoint is None or note_id is None):
        raise NoteError("--resume needs --checkpoint and the --note-id of the run to resume")
    checkpoint_file = None if checkpoint is None or is_postgres(checkpoint) else Path(checkpoint)
    if checkpoint_file is not None:
        check_checkpoint(checkpoint_file, resume=resume)
    elif checkpoint is not None:  # reach the database before any model or index is started
        asyncio.run(reach_checkpoint(checkpoint))
    if html is not None:
        note_file = Path(note) if note not in ("-", SAMPLE) else None
        check_output(html, [note_file, checkpoint_file], force=force, ours=is_review_page)


def refuse_unanswered(result: dict[str, Any]) -> None:
    """Refuse a result in which the model server never answered a single call.

    Such a result says "No codeable content was found." although nobody read the note.

    Raises:
        LLMUnavailableError: naming the server's failure.
    """
    from clh_llm.errors import LLMUnavailableError

    total = result.get("accounting", {}).get("total", {})
    calls = int(total.get("calls", 0))
    if not calls or int(total.get("failed_calls", 0)) < calls:
        return
    reasons = list(dict.fromkeys(str(f.get("reason", "")) for f in result.get("failures", [])))
    why = reasons[0] if reasons else "no usable reply"
    raise LLMUnavailableError(
        f"every model call failed ({calls} of {calls}), so the note was not read: {why}; "
        "check that the server is an OpenAI-compatible chat server (the URL ends in /v1)"
    )


def prepare_coding(resources: ResourceSettings, context: Context) -> str:
    """Make sure the index exists and the model answers; return the model's name."""
    from graph.deps import get_deps
    from tools.index_search import SearchSettings, build_index

    icd = load_resources(resources)
    _err.print("checking the index search collection...", markup=False, highlight=False)
    report = PhaseReporter(INDEX_UNITS, say_line)
    build_index(icd, SearchSettings.resolve(), resources.cache_dir, progress=report)
    _err.print("starting the model...", markup=False, highlight=False)
    endpoint = get_deps(context).llm.endpoint
    _err.print(f"model: {endpoint.model} at {endpoint.base_url}", markup=False, highlight=False)
    return endpoint.model


def _print_result(result: dict[str, Any], as_json: bool) -> None:
    from graph.coding_result import CodingResult

    written = CodingResult.read(result).model_dump_json(indent=2, exclude_unset=True)
    print(written if as_json else result_markdown(result))


# How every review page begins: a page clh wrote may be written again.
is_review_page = has_prefix("<title>clh review - ")


def write_review_page(result: dict[str, Any], note: str, out: Path | None) -> None:
    """Write the review page of a result, when asked for (``--html``), readable by its owner."""
    if out is None:
        return
    from graph.review_page import render_review_page

    try:
        write_private(out, render_review_page(result, note))
    except OSError as exc:
        raise NoteError(f"cannot write the review page {out}: {exc.strerror}") from exc
    _err.print(f"review page: {out}", markup=False, highlight=False)


def review(
    result_file: Annotated[Path, typer.Argument(help="A result JSON (clh code --json).")],
    note: Annotated[str, typer.Option(help="The note file the result codes, or 'sample'.")],
    out: Annotated[Path, typer.Option(help="Where to write the HTML page.")],
    encoding: Annotated[str, typer.Option(help="Encoding of the note file.")] = "utf-8",
    force: Annotated[
        bool, typer.Option(help="Overwrite an existing --out file clh did not write.")
    ] = False,
) -> None:
    """Write the review page of a saved result: the note, its codes, evidence and checks."""
    note_file = Path(note) if note not in ("-", SAMPLE) else None
    check_output(out, [result_file, note_file], force=force, ours=is_review_page)
    from graph.coding_result import CodingResult

    try:
        result = CodingResult.read(json.loads(result_file.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NoteError(f"cannot read the result {result_file}: {exc}") from exc
    except ValueError as exc:
        raise NoteError(f"{result_file} is not a clh result (clh code --json): {exc}") from exc
    text = read_note(note, encoding)
    if result.note_sha256 is not None:  # results written before fingerprints carry none
        mismatch = same_note_or_say(
            result.note_sha256, note_sha256(text), f"the result {result_file}"
        )
        if mismatch:
            raise NoteError(f"{mismatch}: its evidence offsets would mark the wrong text")
    try:
        write_review_page(result.as_written(), text, out)
    except jinja2.UndefinedError as exc:
        missing = re.search(r"attribute '([^']+)'", exc.message or "")
        key = missing.group(1) if missing else str(exc.message)
        raise NoteError(
            f"{result_file} is not a complete clh result (clh code --json): it has no {key!r}"
        ) from exc


async def reach_checkpoint(checkpoint: str) -> None:
    """Open the checkpoint store once (raises CheckpointError when it cannot be used)."""
    from graph.checkpoints import open_checkpointer

    async with open_checkpointer(checkpoint):
        pass


def check_checkpoint_store(checkpoint: str) -> None:
    """Check a ``--checkpoint`` store of many notes (batch, eval) before any model starts.

    Raises:
        NoteError: for a SQLite path that cannot work (see ``check_checkpoint``).
        CheckpointError: for a Postgres database that cannot be used.
    """
    from graph.checkpoints import is_postgres

    if is_postgres(checkpoint):
        asyncio.run(reach_checkpoint(checkpoint))
    else:
        check_checkpoint(Path(checkpoint), resume=False)


async def _finished_result(checkpoint: str, note_id: str, text: str) -> dict[str, Any] | None:
    """Return the saved result of a finished thread, None for one still to run.

    Raises:
        NoteError: when the checkpoint holds no run with this note id, or a run of another
            note than ``text``.
    """
    from graph.builder import build_graph
    from graph.checkpoints import masked, open_checkpointer

    async with open_checkpointer(checkpoint) as saver:
        state = await build_graph(checkpointer=saver).aget_state(
            {"configurable": {"thread_id": note_id}}
        )
    if not state.values:
        raise NoteError(
            f"{masked(checkpoint)} holds no run with note id {note_id!r}: check --note-id, or code "
            "the note without --resume"
        )
    mismatch = same_note_or_say(
        note_sha256(str(state.values.get("note", ""))),
        note_sha256(text),
        f"the run {note_id!r} in {masked(checkpoint)}",
    )
    if mismatch:
        raise NoteError(f"{mismatch}: give the same note to --resume, or another --note-id")
    result = state.values.get("result")
    return result if not state.next and isinstance(result, dict) else None
