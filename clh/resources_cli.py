"""``clh resources ...`` and ``clh lookup``: build, inspect and query the release."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from clh.render import stats_text
from icd_resources import IcdResources, ResourceSettings
from icd_resources.build import ensure_artifact
from icd_resources.fetch import fetch_release
from tools.tabular_lookup import code_card

resources_app = typer.Typer(
    help="Build, inspect and download the ICD-10-CM release.", no_args_is_help=True
)
_err = Console(stderr=True)


@contextmanager
def build_progress() -> Iterator[Any]:
    """Show a progress bar on stderr while the artifact builds (plain lines when not a TTY)."""
    if not _err.is_terminal:

        def plain(label: str, done: int, total: int) -> None:
            _err.print(
                f"building ICD-10-CM artifact: {label} ({done}/{total})",
                markup=False,
                highlight=False,
            )

        yield plain
        return
    with Progress(
        TextColumn("[bold]building ICD-10-CM artifact[/] {task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=_err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def report(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        yield report


def load_resources(settings: ResourceSettings) -> IcdResources:
    """Open the release's artifact, building it (with progress) on first use.

    A build that skipped or cut an index source says so: its entries cannot be found.
    """
    built = False
    with build_progress() as report:

        def tracked(label: str, done: int, total: int) -> None:
            nonlocal built
            built = True
            report(label, done, total)

        icd = IcdResources.load(settings, progress=tracked)
    for problem in icd.problems if built else []:
        if problem["kind"] != "tabular":  # a partial Tabular List is named at each look-up
            _err.print(problem_line(problem), markup=False, highlight=False)
    return icd


def problem_line(problem: dict[str, str]) -> str:
    """Return the warning line of a problem the artifact records."""
    what = "" if problem["kind"] == "tabular" else f"{problem['kind']} skipped: "
    if problem["message"].startswith("partial "):
        what = ""
    return f"warning: {what}{problem['message']}"


@resources_app.command("build")
def build(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option(help="Rebuild even if a cached artifact exists.")] = False,
) -> None:
    """Compile the release into the cached artifact (skipped when nothing changed)."""
    settings: ResourceSettings = ctx.obj
    started = time.perf_counter()
    with build_progress() as report:
        path, built = ensure_artifact(settings, force=force, progress=report)
    verb = "built" if built else "up to date (inputs unchanged):"
    print(f"{verb} {path} in {time.perf_counter() - started:.1f} s")
    for problem in IcdResources(path).problems:
        print(problem_line(problem))


@resources_app.command("stats")
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count what the release holds, per element and source, and which files were used."""
    icd = load_resources(ctx.obj)
    data = icd.stats()
    print(json.dumps(data, indent=2) if as_json else stats_text(data))


@resources_app.command("fetch")
def fetch(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(help="Fiscal year of the release, e.g. 2026.")],
    april: Annotated[bool, typer.Option(help="Take the April 1 update of that year.")] = False,
    dest: Annotated[
        Path | None,
        typer.Option(help="Download directory (default: the cache's release/ directory)."),
    ] = None,
    url: Annotated[
        list[str] | None,
        typer.Option(help="Download these URLs instead of the CMS defaults (repeatable)."),
    ] = None,
) -> None:
    """Download and unpack the official CMS release (needs internet)."""
    settings: ResourceSettings = ctx.obj
    target_root = dest or settings.release_dir
    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=_err, transient=True
    ) as bar:
        task = bar.add_task("downloading", total=None)

        def report(what: str, done: int, total: int | None) -> None:
            bar.update(
                task,
                description=f"downloading {what.rsplit('/', 1)[-1]}",
                completed=done,
                total=total,
            )

        target = fetch_release(year, target_root, urls=url, april=april, progress=report)
    print(f"release unpacked into {target}")
    if dest is not None:
        print(f"use it with: clh --icd-dir {target} resources build")


def lookup(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="An ICD-10-CM code, e.g. E11.22 or t360x1a.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a code's card: description, hierarchy, billable, notes and 7th characters."""
    icd = load_resources(ctx.obj)
    card = code_card(icd, code)
    print(json.dumps(card, indent=2) if as_json else card["text"])
