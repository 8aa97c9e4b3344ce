"""The progress bar of long runs (eval, experiment, batch), shown once notes are coded."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")
Report = Callable[[int, int], None]
err = Console(stderr=True)


def with_progress(work: Callable[[Report], T]) -> T:
    """Run work that reports (done, total) under a bar with the time remaining.

    The bar starts at the first report, so an error before any note is coded is alone on
    stderr; bad options and missing data (ValueError, FileNotFoundError) become one line.
    """
    bar = Progress(
        TextColumn("[bold]coding notes[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    )
    task: TaskID | None = None

    def report(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("", total=total)
        bar.update(task, completed=done, total=total)

    try:
        return work(report)
    except (ValueError, FileNotFoundError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    finally:
        if task is not None:
            bar.stop()


def warn(line: str) -> None:
    """Print a warning line on stderr, as text (no markup)."""
    err.print(line, markup=False, highlight=False)
