"""Entry point of the ``clh`` command: the root app, shared options and error reporting."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from clh import batch_cli, check_cli, code_cli, eval_cli, llm_cli, resources_cli, search_cli
from clh.outputs import OutputError
from graph.checkpoints import CheckpointError
from graph.errors import CalibrationError, NoteError
from icd_resources import ResourceError, ResourceSettings
from llm import LLMError
from prompts import PromptError
from tools.index_search import SearchError
from tools.pool_ranker import PoolRankerError

_CACHE_DIR: Path | None = None  # the run's cache directory, for the crash file

app = typer.Typer(
    name="clh",
    help="Code Like Humans: ICD-10-CM coding the way certified coders do.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(resources_cli.resources_app, name="resources")
app.add_typer(llm_cli.llm_app, name="llm")
app.add_typer(search_cli.index_app, name="index")
app.command("lookup")(resources_cli.lookup)
app.command("search")(search_cli.search)
app.command("code")(code_cli.code)
app.command("check")(check_cli.check)
app.command("review")(code_cli.review)
app.command("batch")(batch_cli.batch)
app.command("eval")(eval_cli.evaluate)
app.command("experiment")(eval_cli.experiment)
app.command("calibrate")(eval_cli.calibrate)
app.command("compare")(eval_cli.compare)


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
    global _CACHE_DIR
    ctx.obj = ResourceSettings.resolve(icd_dir, cache_dir)
    _CACHE_DIR = ctx.obj.cache_dir


def main() -> None:
    """Run the CLI, turning the errors clh raises on purpose into one clear line."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # click's usage errors: bad options and arguments
        sys.exit(_usage_error(exc))
    except (
        ResourceError,
        LLMError,
        SearchError,
        NoteError,
        PromptError,
        CalibrationError,
        PoolRankerError,
        OutputError,
        CheckpointError,
    ) as exc:
        print(f"clh: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except (KeyboardInterrupt, typer.Abort):
        print("clh: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # an unforeseen failure: one line here, the traceback in a file
        print(f"clh: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(_crash_log(), file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


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
