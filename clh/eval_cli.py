"""``clh eval`` and ``clh experiment``: run the coder over a dataset, resumably, and report."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, replace
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
from evals.experiments import compare_table, passes_table
from evals.runner import RunConfig, read_rows, run_notes, start_run
from evals.summary import summarize_run, write_report
from graph.builder import build_graph
from graph.context import Context
from graph.deps import get_deps
from icd_resources import ResourceSettings
from tools.index_search import IndexSearcher, SearchSettings, build_index

_err = Console(stderr=True)
RESULTS = Path("evals/results")


@dataclass(frozen=True)
class EvalOptions:
    """One evaluation run's settings."""

    dataset: str = "codiesp"
    split: str = "dev"
    data: Path = Path("../shared/data/codiesp")
    coder: str = "graph"
    limit: int | None = None
    passes: int = 1
    concurrency: int = 1
    top_k: int = 10
    search_mode: str = "hybrid"
    decoding: str | None = None
    out: Path | None = None
    notes: Path | None = None


def run_eval(resources: ResourceSettings, options: EvalOptions) -> tuple[Path, dict[str, Any]]:
    """Code the dataset's notes (skipping those already in the run), then write the report."""
    icd = load_resources(resources)
    loaded = load(options.dataset, options.data, options.split, options.notes)
    for problem in loaded.problems:
        _err.print(f"dataset: {problem}", markup=False, highlight=False)
    if options.limit is not None:
        loaded.docs = loaded.docs[: options.limit]
    settings = SearchSettings.resolve(mode=options.search_mode)
    build_index(icd, settings, resources.cache_dir)
    context = Context(
        max_passes=options.passes,
        top_k=options.top_k,
        search_mode=options.search_mode,
        decoding=options.decoding,
    )
    model = "none"
    code_note: Any
    if options.coder == "baseline":
        baseline = IndexMatchingCoder(icd, IndexSearcher.open(icd, settings, resources.cache_dir))

        async def code_note(doc: Doc) -> dict[str, Any]:
            return {"pred": await asyncio.to_thread(baseline.code, doc.text)}
    elif options.coder == "graph":
        model = get_deps(context).llm.endpoint.model
        code_note = graph_note_coder(build_graph(), context)
    else:
        raise typer.BadParameter("coder must be graph or baseline")
    name = (
        f"{loaded.name}-{options.coder}-p{options.passes}-k{options.top_k}-"
        f"{options.search_mode}-{options.decoding or 'default'}"
    )
    run_dir = options.out or RESULTS / name
    start_run(
        run_dir,
        RunConfig(
            loaded.name,
            options.coder,
            options.passes,
            options.top_k,
            options.search_mode,
            options.decoding,
            model,
        ),
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

        coded = asyncio.run(run_notes(loaded, run_dir, code_note, options.concurrency, report))
    ids = {d.id for d in loaded.docs}
    rows = [r for r in read_rows(run_dir) if r["id"] in ids]
    train_counts: Counter[str] | None = None
    if options.dataset == "codiesp":
        train = load_codiesp(options.data, "train")
        train_counts = Counter(code for doc in train.docs for code in set(doc.gold))
    summary = summarize_run(rows, icd, train_counts)
    title = (
        f"{loaded.name}: {options.coder} ({model}), {options.passes} pass(es), "
        f"top-k {options.top_k}, {options.search_mode} search, "
        f"decoding {options.decoding or 'default'}"
    )
    path = write_report(run_dir, summary, title)
    m = summary["all_gold"]
    print(
        f"coded {coded} new notes ({len(rows)} in the run); micro F1 {m['micro_f1']:.3f}, "
        f"macro F1 {m['macro_f1']:.3f}, MAP {m['map']:.3f}; report: {path}"
    )
    return run_dir, summary


Dataset = Annotated[str, typer.Option(help="codiesp, jsonl or mdace.")]
Notes = Annotated[Path | None, typer.Option(help="MDACE: your MIMIC-III NOTEEVENTS.csv.")]
Split = Annotated[str, typer.Option(help="CodiEsp split.")]
Data = Annotated[Path, typer.Option(help="CodiEsp directory or JSONL file.")]
Limit = Annotated[int | None, typer.Option(help="Only the first N notes.")]
Concurrency = Annotated[int, typer.Option(help="Notes coded at once.")]


def evaluate(
    ctx: typer.Context,
    dataset: Dataset = "codiesp",
    split: Split = "dev",
    data: Data = EvalOptions.data,
    coder: Annotated[str, typer.Option(help="graph (the LLM pipeline) or baseline.")] = "graph",
    limit: Limit = None,
    passes: Annotated[int, typer.Option(help="Refinement passes.")] = 1,
    concurrency: Concurrency = 1,
    top_k: Annotated[int, typer.Option(help="Index entries per finding.")] = 10,
    search_mode: Annotated[str, typer.Option(help="dense, sparse or hybrid.")] = "hybrid",
    decoding: Annotated[
        str | None, typer.Option(help="thinking, structured, or per agent.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Run directory (resumes if it exists).")] = None,
    notes: Notes = None,
) -> None:
    """Code a dataset's notes, append each to predictions.jsonl, then write the report."""
    run_eval(
        ctx.obj,
        EvalOptions(
            dataset,
            split,
            data,
            coder,
            limit,
            passes,
            concurrency,
            top_k,
            search_mode,
            decoding,
            out,
            notes,
        ),
    )


def experiment(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="passes, decoding, top-k or search-mode.")],
    values: Annotated[
        str,
        typer.Option(
            help="Comma-separated values to compare (for passes: the largest number of passes)."
        ),
    ],
    dataset: Dataset = "codiesp",
    split: Split = "dev",
    data: Data = EvalOptions.data,
    limit: Limit = None,
    concurrency: Concurrency = 1,
) -> None:
    """Run one experiment (each run resumable) and write its table to evals/results/."""
    base = EvalOptions(dataset, split, data, "graph", limit, concurrency=concurrency)
    items = [v.strip() for v in values.split(",") if v.strip()]
    if name == "passes":
        run_dir, _ = run_eval(ctx.obj, replace(base, passes=int(items[-1])))
        table = passes_table(read_rows(run_dir), int(items[-1]))
    elif name in ("decoding", "top-k", "search-mode"):
        field = {"decoding": "decoding", "top-k": "top_k", "search-mode": "search_mode"}[name]
        summaries = {}
        for value in items:
            typed: Any = int(value) if field == "top_k" else value
            summaries[value] = run_eval(ctx.obj, replace(base, **{field: typed}))[1]
        table = compare_table(name, summaries)
    else:
        raise typer.BadParameter("experiment must be passes, decoding, top-k or search-mode")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"experiment-{name}-{dataset}-{split}.md"
    path.write_text(
        f"# Experiment: {name} ({dataset} {split}, {limit or 'all'} notes)\n\n{table}\n"
    )
    print(table)
    print(f"table written to {path}")
