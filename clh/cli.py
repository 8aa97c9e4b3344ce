"""Entry point of the ``clh`` command: the root app, shared options and error reporting."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from clh import check_cli, code_cli, eval_cli, llm_cli, resources_cli, search_cli
from graph.errors import NoteError
from icd_resources import ResourceError, ResourceSettings
from llm import LLMError
from prompts import PromptError
from tools.index_search import SearchError

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
app.command("eval")(eval_cli.evaluate)
app.command("experiment")(eval_cli.experiment)


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
    ctx.obj = ResourceSettings.resolve(icd_dir, cache_dir)


def main() -> None:
    """Run the CLI, turning the errors clh raises on purpose into one clear line."""
    try:
        app()
    except (ResourceError, LLMError, SearchError, NoteError, PromptError) as exc:
        print(f"clh: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("clh: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # an unforeseen failure: one line here, the traceback in a file
        log = _crash_log()
        print(
            f"clh: unexpected error: {type(exc).__name__}: {exc}\n"
            f"(the traceback is in {log}; work already saved - eval rows, checkpoints - is "
            "kept)",
            file=sys.stderr,
        )
        sys.exit(1)


def _crash_log() -> Path:
    """Write the current exception's traceback under the cache directory."""
    import time
    import traceback

    from icd_resources.config import default_cache_dir

    directory = default_cache_dir() / "logs"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"crash-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    path.write_text(traceback.format_exc())
    return path
