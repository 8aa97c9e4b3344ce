"""Entry point of the ``clh`` command: the root app, shared options and error reporting."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click as click  # typer 0.29 carries its own click: its groups are these
from typer.core import TyperCommand, TyperGroup

_CACHE_DIR: Path | None = None  # the run's cache directory, for the crash file

# Each command's module is imported only when that command runs (or shows its own help):
# `clh check` never pays for LangGraph and the model client that `clh code` needs. The
# one-line help shown by `clh --help` is written here; a test keeps it equal to the command's.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "lookup": (
        "clh.resources_cli",
        "lookup",
        "Show a code's card: description, hierarchy, billable, notes and 7th characters.",
    ),
    "search": (
        "clh.search_cli",
        "search",
        "Search the Alphabetic Index (disease, external cause, drug and neoplasm tables).",
    ),
    "code": (
        "clh.code_cli",
        "code",
        "Code a clinical note: evidence, index, tabular, reconciled codes.",
    ),
    "check": (
        "clh.check_cli",
        "check",
        "Say which codes to remove or reorder, and which is primary - or bill as is.",
    ),
    "review": (
        "clh.code_cli",
        "review",
        "Write the review page of a saved result: the note, its codes, evidence and checks.",
    ),
    "batch": (
        "clh.batch_cli",
        "batch",
        "Code many notes: one line per note in predictions.jsonl, then codes.csv.",
    ),
    "eval": (
        "clh.eval_cli",
        "evaluate",
        "Code a dataset's notes, append each to predictions.jsonl, then write the report.",
    ),
    "experiment": (
        "clh.eval_cli",
        "experiment",
        "Run one experiment (each run resumable) and write its table beside the runs.",
    ),
    "calibrate": (
        "clh.eval_cli",
        "calibrate",
        "Fit scored decoding's threshold on CodiEsp train; write it with its provenance.",
    ),
    "compare": (
        "clh.eval_cli",
        "compare",
        "Score eval runs side by side on the notes they all coded: scores, cost, funnel.",
    ),
    "resources": (
        "clh.resources_cli",
        "resources_app",
        "Build, inspect and download the ICD-10-CM release.",
    ),
    "llm": ("clh.llm_cli", "llm_app", "The model layer: check, serve or fetch the model."),
    "index": ("clh.search_cli", "index_app", "The Alphabetic Index search collection."),
}

# The errors clh raises on purpose, by the module that defines them: a module that was never
# imported raised none of them, so checking needs no import (llm's would pull in openai).
REPORTED_ERRORS: tuple[tuple[str, str], ...] = (
    ("icd_resources.errors", "ResourceError"),
    ("clh_llm.errors", "LLMError"),
    ("tools.index_search.errors", "SearchError"),
    ("graph.errors", "NoteError"),
    ("graph.errors", "CalibrationError"),
    ("prompts.loader", "PromptError"),
    ("tools.pool_ranker", "PoolRankerError"),
    ("clh.outputs", "OutputError"),
    ("graph.checkpoints", "CheckpointError"),
)


def load_command(name: str) -> click.Command:
    """Import a command's module and return the command (a group for ``resources``...)."""
    module, attribute, _ = COMMANDS[name]
    target: Any = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):  # a group, even of one command (`clh index build`)
        command: click.Command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _LazyGroup(TyperGroup):
    """The root group: lists every command of ``COMMANDS``, loads only the one invoked."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loaded: set[str] = set()
        for name, (_, _, short_help) in COMMANDS.items():
            self.commands[name] = TyperCommand(name, help=short_help)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Load the named command, in place of its one-line stand-in, then resolve it."""
        name = args[0] if args else ""
        if name in COMMANDS and name not in self._loaded:
            self.commands[name] = load_command(name)
            self._loaded.add(name)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="clh",
    help="Code Like Humans: ICD-10-CM coding the way certified coders do.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=_LazyGroup,
)


@app.callback()
def root(
    ctx: typer.Context,
    icd_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--icd-dir",
            help="Directory holding the release files (repeatable). "
            "Default: $CLH_ICD_DIR, else what `clh resources fetch` downloaded.",
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir", help="Where artifacts are kept. Default: $CLH_CACHE_DIR or ~/.cache/clh."
        ),
    ] = None,
) -> None:
    """Code clinical notes with ICD-10-CM, showing the evidence behind every code."""
    from icd_resources import ResourceSettings

    global _CACHE_DIR
    ctx.obj = ResourceSettings.resolve(icd_dir, cache_dir)
    _CACHE_DIR = ctx.obj.cache_dir


def main() -> None:
    """Run the CLI, turning the errors clh raises on purpose into one clear line."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # click's usage errors: bad options and arguments
        sys.exit(_usage_error(exc))
    except (KeyboardInterrupt, typer.Abort):
        print("clh: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        if reported_error(exc):
            print(f"clh: error: {exc}", file=sys.stderr)
            sys.exit(2)
        # an unforeseen failure: one line here, the traceback in a file
        print(f"clh: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(_crash_log(), file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def reported_error(exc: BaseException) -> bool:
    """Say whether ``exc`` is one of the errors clh raises on purpose (``REPORTED_ERRORS``)."""
    for module, name in REPORTED_ERRORS:
        loaded = sys.modules.get(module)
        error = getattr(loaded, name, None) if loaded is not None else None
        if isinstance(error, type) and isinstance(exc, error):
            return True
    return False


def _usage_error(exc: typer.TyperException) -> int:
    """Print a usage error as one line (help for a bare command); return the exit code."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        print(ctx.get_help())
        return 0
    formatter = getattr(exc, "format_message", None)
    message = formatter() if callable(formatter) else str(exc)
    where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    print(f"clh: error: {message}{where}", file=sys.stderr)
    return int(getattr(exc, "exit_code", 2))


def _crash_log() -> str:
    """Write the current exception's traceback to a file; say where, or why it could not be.

    The file goes under the cache directory the command was given (--cache-dir, else
    $CLH_CACHE_DIR, else the default).
    """
    import os
    import time
    import traceback

    from icd_resources.config import default_cache_dir

    directory = (_CACHE_DIR or default_cache_dir()) / "logs"
    path = directory / f"crash-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A traceback may quote the note (locals, messages): its owner alone reads it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(traceback.format_exc())
    except OSError as exc:
        return f"(the traceback could not be written to {directory}: {exc.strerror})"
    return f"(the traceback is in {path}; work already saved - eval rows, checkpoints - is kept)"
