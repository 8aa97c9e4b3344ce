"""Run a coder over a dataset: one JSONL line per note, resumable, then the summary."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from evals.doc_types import Dataset, Doc
from evals.private_files import append_private, private_dir
from graph.errors import NoteError

PREDICTIONS = "predictions.jsonl"
# Seconds per note live apart from the predictions, so that a rerun with the same settings
# writes the same predictions.jsonl and summary.json, byte for byte.
TIMINGS = "timings.jsonl"


@dataclass(frozen=True)
class RunConfig:
    """What identifies a run; a resumed run must have the same."""

    dataset: str
    coder: str
    passes: int
    top_k: int
    search_mode: str
    decoding: str | None
    model: str
    data: str = ""
    """A fingerprint of the dataset's documents and gold codes (see ``data_fingerprint``)."""
    settings: str = ""
    """Other Context fields set for the run (``field=value``, comma-separated)."""


def data_fingerprint(dataset: Dataset) -> str:
    """Hash every document's id, text, gold codes and setting: a resumed run reads the same data."""
    digest = hashlib.sha256()
    for doc in sorted(dataset.docs, key=lambda d: d.id):
        setting = [doc.setting] if doc.setting else []  # fingerprints without one unchanged
        digest.update(json.dumps([doc.id, doc.text, list(doc.gold), *setting]).encode())
    return digest.hexdigest()[:16]


def done_ids(run_dir: Path) -> set[str]:
    """Return the ids already coded (a torn last line from a crash is ignored).

    A note recorded with an error is not done: a resumed run tries it again.
    """
    path = run_dir / PREDICTIONS
    if not path.exists():
        return set()
    ids: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and "id" in row:
            # A note that failed is tried again; one that later succeeded stays done.
            (ids.discard if row.get("error") else ids.add)(row["id"])
    return ids


def start_run(run_dir: Path, config: RunConfig) -> None:
    """Create the run directory, or check that a resumed run has the same configuration.

    Raises:
        ValueError: when the directory holds a run with other settings.
    """
    private_dir(run_dir)
    path = run_dir / "config.json"
    if path.exists():
        previous = json.loads(path.read_text())
        previous.setdefault("settings", "")  # runs made before --set existed
        if previous.get("data") != config.data:
            raise ValueError(
                f"{run_dir} holds a run of other data ({previous.get('dataset')!r}, fingerprint "
                f"{previous.get('data')}; these notes: {config.dataset!r}, {config.data}): "
                "choose another --out or delete it"
            )
        if previous != asdict(config):
            raise ValueError(
                f"{run_dir} holds a run with other settings ({previous}); choose "
                "another --out or delete it"
            )
    else:
        path.write_text(json.dumps(asdict(config), indent=2))


async def run_notes(
    dataset: Dataset,
    run_dir: Path,
    code_note: Callable[[Doc], Any],
    concurrency: int,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Code every note not yet in the run, appending one line per note as it finishes.

    ``code_note`` is an async function returning {"pred": [...], ...}. A note that is not
    codeable is recorded with its error; any other error stops the run (resume later).

    Returns:
        the number of notes coded in this call.
    """
    finished = done_ids(run_dir)
    _end_torn_line(run_dir / PREDICTIONS)
    todo = [d for d in dataset.docs if d.id not in finished]
    semaphore = asyncio.Semaphore(max(1, concurrency))
    lock = asyncio.Lock()
    count = 0
    report = progress or (lambda _d, _t: None)
    report(len(finished), len(dataset.docs))

    async def one(doc: Doc) -> None:
        nonlocal count
        async with semaphore:
            started = time.perf_counter()
            try:
                row = await code_note(doc)
            except NoteError as exc:
                row = {"pred": [], "error": str(exc)}
            timing = {
                "id": doc.id,
                "seconds": round(time.perf_counter() - started, 2),
                **row.pop("timing", {}),
            }
            row = {"id": doc.id, "gold": list(doc.gold), **row}
            async with lock:
                append_private(run_dir / PREDICTIONS, json.dumps(row) + "\n")
                append_private(run_dir / TIMINGS, json.dumps(timing) + "\n")
                count += 1
                report(len(finished) + count, len(dataset.docs))

    await asyncio.gather(*(one(doc) for doc in todo))
    return count


def _end_torn_line(path: Path) -> None:
    """Close a last line torn by a crash, so the next row starts on a line of its own."""
    if path.exists() and path.stat().st_size:
        with path.open("rb+") as handle:
            handle.seek(-1, 2)
            if handle.read(1) != b"\n":
                handle.write(b"\n")


def read_timing_records(run_dir: Path) -> dict[str, dict[str, Any]]:
    """Return each note's timing record: seconds, model seconds, cache hits (the last wins)."""
    path = run_dir / TIMINGS
    records: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            row = json.loads(line)
            float(row["seconds"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            continue
        records[str(row["id"])] = row
    return records


def read_timings(run_dir: Path) -> dict[str, float]:
    """Return the seconds each note took (the last run of a note wins)."""
    return {i: float(r["seconds"]) for i, r in read_timing_records(run_dir).items()}


def read_rows(run_dir: Path) -> list[dict[str, Any]]:
    """Return the rows of a run (the last one per id wins)."""
    rows: dict[str, dict[str, Any]] = {}
    path = run_dir / PREDICTIONS
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        rows[row["id"]] = row
    return list(rows.values())
