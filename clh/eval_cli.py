"""``clh eval``: run the coder (or the baseline) over a dataset, resumably, and report."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from clh.resources_cli import load_resources
from evals.baseline import IndexMatchingCoder
from evals.coders import graph_note_coder
from evals.codiesp import load_codiesp
from evals.datasets import Doc, load
from evals.runner import RunConfig, read_rows, run_notes, start_run
from evals.summary import summarize_run, write_report
from graph.builder import build_graph
from graph.context import Context
from graph.deps import Deps, get_deps
from icd_resources import ResourceSettings
from tools.index_search import IndexSearcher, SearchSettings, build_index

_err = Console(stderr=True)


def evaluate(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option(help="codiesp or jsonl.")] = "codiesp",
    split: Annotated[str, typer.Option(help="CodiEsp split.")] = "dev",
    data: Annotated[Path, typer.Option(help="CodiEsp directory or JSONL file.")] = Path(
        "../shared/data/codiesp"
    ),
    coder: Annotated[str, typer.Option(help="graph (the LLM pipeline) or baseline.")] = "graph",
    limit: Annotated[int | None, typer.Option(help="Only the first N notes.")] = None,
    passes: Annotated[int, typer.Option(help="Refinement passes.")] = 1,
    concurrency: Annotated[int, typer.Option(help="Notes coded at once.")] = 1,
    top_k: Annotated[int, typer.Option(help="Index entries per finding.")] = 10,
    out: Annotated[Path | None, typer.Option(help="Run directory (resumes if it exists).")] = None,
) -> None:
    """Code a dataset's notes, append each to predictions.jsonl, then write the report."""
    resources: ResourceSettings = ctx.obj
    icd = load_resources(resources)
    loaded = load(dataset, data, split)
    for problem in loaded.problems:
        _err.print(f"dataset: {problem}", markup=False, highlight=False)
    if limit is not None:
        loaded.docs = loaded.docs[:limit]
    settings = SearchSettings.resolve()
    build_index(icd, settings, resources.cache_dir)
    context = Context(max_passes=passes, top_k=top_k)
    model = "none"
    code_note: Any
    if coder == "baseline":
        searcher = IndexSearcher.open(icd, settings, resources.cache_dir)
        baseline = IndexMatchingCoder(icd, searcher)

        async def code_note(doc: Doc) -> dict[str, Any]:
            return {"pred": await asyncio.to_thread(baseline.code, doc.text)}
    elif coder == "graph":
        deps: Deps = get_deps(context)
        model = deps.llm.endpoint.model
        code_note = graph_note_coder(build_graph(), context)
    else:
        raise typer.BadParameter("coder must be graph or baseline")
    run_dir = out or Path("evals/results") / f"{loaded.name}-{coder}-p{passes}-k{top_k}"
    start_run(
        run_dir,
        RunConfig(loaded.name, coder, passes, top_k, context.search_mode, context.decoding, model),
    )
    with Progress(
        TextColumn("[bold]coding notes[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=_err,
    ) as bar:
        task = bar.add_task("", total=len(loaded.docs))

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        coded = asyncio.run(run_notes(loaded, run_dir, code_note, concurrency, report))
    ids = {d.id for d in loaded.docs}
    rows = [r for r in read_rows(run_dir) if r["id"] in ids]
    train_counts: Counter[str] | None = None
    if dataset == "codiesp":
        train = load_codiesp(data, "train")
        train_counts = Counter(code for doc in train.docs for code in set(doc.gold))
    summary = summarize_run(rows, icd, train_counts)
    title = f"{loaded.name}: {coder} ({model}), {passes} pass(es), top-k {top_k}"
    path = write_report(run_dir, summary, title)
    m = summary["all_gold"]
    print(
        f"coded {coded} new notes ({len(rows)} in the run); micro F1 {m['micro_f1']:.3f}, "
        f"macro F1 {m['macro_f1']:.3f}, MAP {m['map']:.3f}; report: {path}"
    )
