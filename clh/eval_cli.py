"""``clh eval``, ``clh experiment``, ``clh calibrate`` and ``clh compare``: thin wrappers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clh.code_cli import ContextSettings, check_checkpoint_store
from clh.outputs import check_output, check_run_dir
from clh.progress import warn, with_progress
from clh.resources_cli import load_resources
from evals import run as evals_run
from evals.calibrate import calibrate as fit_calibration
from evals.compare import common_notes, compare_runs, read_run
from evals.private_files import write_private
from evals.run import CoderName, EvalOptions, EvalResult
from graph.calibration import read_calibration
from graph.context import SearchModeName
from graph.errors import CalibrationError
from icd_resources import ResourceSettings


def run_eval(resources: ResourceSettings, options: EvalOptions) -> EvalResult:
    """Run an evaluation with a progress bar, then print its headline numbers."""
    load_resources(resources)  # builds the artifact with its own progress display
    result = with_progress(
        lambda progress: evals_run.run_eval(resources, options, progress=progress, warn=warn)
    )
    m = result.summary["all_gold"]
    print(
        f"coded {result.coded} new notes ({result.summary['notes']} in the run); "
        f"micro F1 {m['micro_f1']:.3f}, macro F1 {m['macro_f1']:.3f}, MAP {m['map']:.3f}; "
        f"report: {result.report}"
    )
    return result


Dataset = Annotated[str, typer.Option(help="codiesp, jsonl, usnotes or mdace.")]
Notes = Annotated[Path | None, typer.Option(help="MDACE: your MIMIC-III NOTEEVENTS.csv.")]
Split = Annotated[str, typer.Option(help="CodiEsp split.")]
Data = Annotated[
    Path, typer.Option(help="CodiEsp directory or JSONL file (usnotes: its packaged file).")
]
Limit = Annotated[int | None, typer.Option(min=1, help="Only the first N notes.")]
Concurrency = Annotated[int, typer.Option(min=1, help="Notes coded at once.")]
ResponseCache = Annotated[
    Path | None,
    typer.Option(
        help="A SQLite file of model answers: a rerun (after a downstream change) asks the "
        "model only what it has not asked before."
    ),
]


def evaluate(
    ctx: typer.Context,
    dataset: Dataset = "codiesp",
    split: Split = "dev",
    data: Data = EvalOptions.data,
    coder: Annotated[
        CoderName, typer.Option(help="graph (the LLM pipeline) or baseline.")
    ] = "graph",
    limit: Limit = None,
    passes: Annotated[int, typer.Option(min=1, help="Refinement passes.")] = 1,
    concurrency: Concurrency = 1,
    top_k: Annotated[int, typer.Option(min=1, max=200, help="Index entries per finding.")] = 10,
    search_mode: Annotated[SearchModeName, typer.Option(help="Index search mode.")] = "hybrid",
    decoding: Annotated[
        str | None, typer.Option(help="thinking, structured, or per agent.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Run directory (resumes if it exists).")] = None,
    notes: Notes = None,
    response_cache: ResponseCache = None,
    checkpoint: Annotated[
        str | None,
        typer.Option(
            help="SQLite file or postgresql:// URI keeping every step: a note cut off "
            "mid-run resumes from its last step (graph coder)."
        ),
    ] = None,
    settings: ContextSettings = None,
) -> None:
    """Code a dataset's notes, append each to predictions.jsonl, then write the report."""
    if out is not None:
        check_run_dir(out, [data, notes, response_cache])
    if checkpoint is not None:
        if coder != "graph":
            raise typer.BadParameter("--checkpoint keeps the graph coder's steps: not for baseline")
        check_checkpoint_store(checkpoint)  # before any model or index is started
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
            response_cache,
            tuple(settings or ()),
            checkpoint,
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
    """Run one experiment (each run resumable) and write its table beside the runs."""
    base = EvalOptions(dataset, split, data, "graph", limit, concurrency=concurrency)
    items = [v.strip() for v in values.split(",") if v.strip()]
    load_resources(ctx.obj)
    table, path = with_progress(
        lambda progress: evals_run.run_experiment(
            ctx.obj, name, items, base, progress=progress, warn=warn
        )
    )
    print(table)
    print(f"table written to {path}")


def calibrate(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="The calibration file to write (JSON).")],
    split: Split = "train",
    data: Data = EvalOptions.data,
    limit: Limit = None,
    concurrency: Concurrency = 1,
    response_cache: ResponseCache = None,
    fit_max_candidates: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Fit for the first N candidates per note of a run that scored more "
            "(--set max_candidates): one run, several fits.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Overwrite an existing --out file that is no calibration.")
    ] = False,
    settings: ContextSettings = None,
) -> None:
    """Fit scored decoding's threshold on CodiEsp train; write it with its provenance."""
    check_output(out, [data, response_cache], force=force, ours=_is_calibration)
    options = EvalOptions(
        "codiesp",
        split,
        data,
        "graph",
        limit,
        concurrency=concurrency,
        response_cache=response_cache,
        settings=tuple(settings or ()),
    )
    load_resources(ctx.obj)
    try:
        calibration, fit, run_dir = with_progress(
            lambda progress: fit_calibration(
                ctx.obj,
                options,
                fit_candidates=fit_max_candidates,
                progress=progress,
                warn=warn,
            )
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    for threshold, f1 in fit.curve[::5]:
        print(f"threshold {threshold:.2f}: train micro F1 {f1:.3f}")
    print(
        f"fitted on {calibration.notes} notes, {calibration.candidates} scored candidates "
        f"(run: {run_dir}): threshold {calibration.verify_threshold:.2f}, train micro F1 "
        f"{calibration.train_micro_f1:.3f}"
    )
    write_private(out, calibration.to_json())
    print(f"calibration written to {out}; use it with --set calibration={out}")


def _is_calibration(path: Path) -> bool:
    """Say whether a file is a calibration clh wrote (one it may write again)."""
    try:
        read_calibration(path)
    except CalibrationError:
        return False
    return True


def compare(
    ctx: typer.Context,
    runs: Annotated[list[Path], typer.Argument(help="Eval run directories (clh eval --out).")],
) -> None:
    """Score eval runs side by side on the notes they all coded: scores, cost, funnel."""
    missing = [str(r) for r in runs if not (r / "predictions.jsonl").is_file()]
    if missing:
        raise typer.BadParameter(f"not an eval run (no predictions.jsonl): {', '.join(missing)}")
    records = [read_run(r) for r in runs]
    if not common_notes(records):
        raise typer.BadParameter("these runs have no note in common")
    print(compare_runs(records, load_resources(ctx.obj)))
