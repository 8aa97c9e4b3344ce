"""Evaluate a coder on a dataset, resumably, from Python or the CLI: ``run_eval``.

::

    from evals.run import EvalOptions, run_eval
    result = run_eval(ResourceSettings.resolve(), EvalOptions(coder="baseline", limit=20))
    result.summary["all_gold"]["micro_f1"]
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from evals.baseline import IndexMatchingCoder
from evals.coders import graph_note_coder
from evals.codiesp import load_codiesp
from evals.datasets import DEFAULT_DATA, load
from evals.doc_types import Dataset, Doc
from evals.experiments import compare_table, passes_table
from evals.report import write_html_report, write_report
from evals.runner import RunConfig, data_fingerprint, read_rows, read_timings, run_notes, start_run
from evals.summary import summarize_run, timing_summary
from graph.builder import build_graph
from graph.checkpoints import open_checkpointer
from graph.context import Context, SearchModeName, context_overrides, decoding_fields
from graph.deps import get_deps
from icd_resources import IcdResources, ResourceSettings
from tools.index_search import IndexSearcher, SearchSettings, build_index

Progress = Callable[[int, int], None]
CoderName = Literal["graph", "baseline"]


@dataclass(frozen=True)
class EvalOptions:
    """One evaluation run's settings."""

    dataset: str = "codiesp"
    split: str = "dev"
    data: Path = DEFAULT_DATA
    """CodiEsp's directory, a JSONL file, or (``usnotes``) the packaged file when left as is."""
    coder: CoderName = "graph"
    limit: int | None = None
    passes: int = 1
    concurrency: int = 1
    top_k: int = 10
    search_mode: SearchModeName = "hybrid"
    decoding: str | None = None
    out: Path | None = None
    """The run directory; default: ``<cache>/runs/<name>``, never inside the package."""
    notes: Path | None = None
    response_cache: Path | None = None
    """A SQLite file of model answers: a rerun asks the model only what it has not asked."""
    settings: tuple[str, ...] = ()
    """More Context fields as ``field=value`` (``clh eval --set``), e.g. ``lanes=walk``."""
    checkpoint: str | None = None
    """A SQLite file or Postgres URI keeping every step of the graph coder: a note cut off
    mid-run resumes from its last step (one thread per note of the run directory)."""

    @property
    def name(self) -> str:
        """Return the run's default directory name: dataset and every setting."""
        extra = "".join(f"-{pair.replace('/', '_').replace(',', '+')}" for pair in self.settings)
        return (
            f"{self.dataset}-{self.split}-{self.coder}-p{self.passes}-k{self.top_k}-"
            f"{self.search_mode}-{self.decoding or 'default'}{extra}"
        )


@dataclass(frozen=True)
class EvalResult:
    """What one ``run_eval`` call produced."""

    run_dir: Path
    summary: dict[str, Any]
    coded: int
    """Notes coded by this call (the others were already in the run)."""
    report: Path
    model: str = ""
    fingerprint: str = ""
    """The data fingerprint (see ``data_fingerprint``)."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    """The run's prediction rows of this call's notes."""


def run_eval(
    resources: ResourceSettings,
    options: EvalOptions,
    *,
    progress: Progress | None = None,
    warn: Callable[[str], None] = print,
) -> EvalResult:
    """Code the dataset's notes (skipping those already in the run), then write the report.

    Args:
        resources: where the release and the caches are.
        options: the dataset, the coder and its settings.
        progress: called with (notes done, notes in all) as notes finish.
        warn: called with each dataset problem (unusable rows).

    Returns:
        The run directory, its summary (as in ``summary.json``), the notes coded by this call
        and the report's path.

    Raises:
        ValueError: for an unknown coder or dataset, or a resumed run with other settings.
        FileNotFoundError: for missing data.
    """
    icd = IcdResources.load(resources)
    loaded = load(options.dataset, options.data, options.split, options.notes)
    for problem in loaded.problems:
        warn(f"dataset: {problem}")
    context = eval_context(options)
    fingerprint = data_fingerprint(loaded)
    if options.limit is not None:
        loaded.docs = loaded.docs[: options.limit]
    if not loaded.docs:
        raise ValueError(f"{options.data} holds no note to code ({options.split} split)")
    model, code_note = _note_coder(icd, resources, options, context)
    run_dir = options.out or resources.cache_dir / "runs" / options.name
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
            fingerprint,
            ",".join(options.settings),
        ),
    )
    coded = asyncio.run(_code_notes(loaded, run_dir, code_note, options, context, progress))
    ids = {d.id for d in loaded.docs}
    rows = [r for r in read_rows(run_dir) if r["id"] in ids]
    summary, report = _report(icd, options, loaded, model, run_dir, rows)
    return EvalResult(run_dir, summary, coded, report, model, fingerprint, rows)


async def _code_notes(
    loaded: Dataset,
    run_dir: Path,
    code_note: Callable[[Doc], Any],
    options: EvalOptions,
    context: Context,
    progress: Progress | None,
) -> int:
    """Code the notes not yet in the run; with a checkpoint store, keep every step there.

    The store is opened in the run's own event loop (its connections belong to that loop),
    and each note is a thread named from the run directory, as ``clh batch`` names them.
    """
    if options.checkpoint is None:
        return await run_notes(loaded, run_dir, code_note, options.concurrency, progress)
    async with open_checkpointer(options.checkpoint) as saver:
        graph = build_graph(checkpointer=saver)
        coder = graph_note_coder(graph, context, run_key=str(run_dir.resolve()))
        return await run_notes(loaded, run_dir, coder, options.concurrency, progress)


def eval_context(options: EvalOptions) -> Context:
    """Return the Context an eval's options ask for (its --set pairs last).

    Raises:
        ValueError: for settings Context does not take.
    """
    return Context(
        max_passes=options.passes,
        top_k=options.top_k,
        search_mode=options.search_mode,
        response_cache=str(options.response_cache) if options.response_cache else None,
        **decoding_fields(options.decoding),
        **context_overrides(options.settings),
    )


def _report(
    icd: IcdResources,
    options: EvalOptions,
    loaded: Dataset,
    model: str,
    run_dir: Path,
    rows: list[dict[str, Any]],
) -> tuple[dict[str, Any], Path]:
    """Summarize the run's rows and write its reports; return the summary and report path."""
    train_counts: Counter[str] | None = None
    if options.dataset == "codiesp":
        train = load_codiesp(options.data, "train")
        train_counts = Counter(code for doc in train.docs for code in set(doc.gold))
    summary = summarize_run(rows, icd, train_counts)
    title = (
        f"{loaded.name}: {options.coder} ({model}), {options.passes} pass(es), "
        f"top-k {options.top_k}, {options.search_mode} search, "
        f"decoding {options.decoding or 'default'}"
        + "".join(f", {pair}" for pair in options.settings)
    )
    report = write_report(run_dir, summary, title)
    write_html_report(run_dir, title, {d.id: d.text for d in loaded.docs})
    return summary, report


def _note_coder(
    icd: IcdResources, resources: ResourceSettings, options: EvalOptions, context: Context
) -> tuple[str, Callable[[Doc], Any]]:
    """Return the model name and the async function that codes one note."""
    if options.coder == "baseline":
        if options.checkpoint is not None:
            raise ValueError("--checkpoint keeps the steps of the graph coder: not for baseline")
        settings = SearchSettings.resolve(mode=options.search_mode)
        build_index(icd, settings, resources.cache_dir)
        baseline = IndexMatchingCoder(icd, IndexSearcher.open(icd, settings, resources.cache_dir))

        async def code_note(doc: Doc) -> dict[str, Any]:
            return {"pred": await asyncio.to_thread(baseline.code, doc.text)}

        return "none", code_note
    if options.coder == "graph":
        build_index(icd, SearchSettings.resolve(mode=options.search_mode), resources.cache_dir)
        return get_deps(context).llm.endpoint.model, graph_note_coder(build_graph(), context)
    raise ValueError(f"unknown coder {options.coder!r}: use graph or baseline")


EXPERIMENTS = ("passes", "decoding", "top-k", "search-mode")
_FIELDS = {"decoding": "decoding", "top-k": "top_k", "search-mode": "search_mode"}


def run_experiment(
    resources: ResourceSettings,
    name: str,
    values: list[str],
    base: EvalOptions,
    *,
    progress: Progress | None = None,
    warn: Callable[[str], None] = print,
) -> tuple[str, Path]:
    """Compare settings: passes 1..N from one checkpointed run, or one run per value.

    Returns:
        The markdown table and the file it was written to (beside the runs).

    Raises:
        ValueError: for an unknown experiment or value.
    """
    if name not in EXPERIMENTS or not values:
        raise ValueError(f"experiment must be one of {', '.join(EXPERIMENTS)}, with values")
    if name == "passes":
        last = int(values[-1])
        result = run_eval(resources, replace(base, passes=last), progress=progress, warn=warn)
        table = passes_table(read_rows(result.run_dir), last)
    else:
        field = _FIELDS[name]
        summaries = {}
        for value in values:
            typed: Any = int(value) if field == "top_k" else value
            options = replace(base, **{field: typed})
            result = run_eval(resources, options, progress=progress, warn=warn)
            timing = timing_summary(read_timings(result.run_dir))
            summaries[value] = {**result.summary, "cost": {**result.summary["cost"], **timing}}
        table = compare_table(name, summaries)
    out = base.out.parent if base.out else resources.cache_dir / "runs"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"experiment-{name}-{base.dataset}-{base.split}.md"
    path.write_text(
        f"# Experiment: {name} ({base.dataset} {base.split}, {base.limit or 'all'} notes)\n\n"
        f"{table}\n"
    )
    return table, path
