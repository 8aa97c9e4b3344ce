"""Print notes/minute of `clh batch --server` on K workers, and where a note's time goes.

Run from the repository root in the server venv (it reuses the deployment test's pieces):

- ``PYTHONPATH=. .venv-server/bin/python deploy/bench.py --notes 12 --delay 0.2 --workers 1,2,4``:
  the fixture release and the fake model answering every call in ``--delay`` seconds, so what
  it measures is the server's own overhead around a model of fixed speed.
- ``PYTHONPATH=. .venv-server/bin/python deploy/bench.py --embedded NOTES_DIR --workers 1``:
  the release of ``CLH_ICD_DIR``, the index and weights of ``CLH_CACHE_DIR`` (default
  ``~/.cache/clh``) and the embedded model, which the worker starts itself.

Postgres, Redis and the workers are throwaway instances on free 127.0.0.1 ports. Each line
says the machine's load average (``uptime``) before and after its timing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from icd_resources import IcdResources, ResourceSettings
from tests.conftest import FIXTURE_RELEASE
from tests.fakes import FakeOpenAIServer, answer_by_rules
from tests.graph_support import NOTE, default_rules
from tests.integration.test_deployment import clh_batch, start_worker, stop
from tests.services import postgres_server, redis_server
from tools.index_search import SearchSettings, build_index


@dataclass(frozen=True)
class Setup:
    """What one measurement runs on: the notes, the release, the cache and the model's env."""

    notes: Path
    warm: Path
    release: str
    cache: Path
    model_env: dict[str, str]


def load() -> str:
    """Return the 1-minute load average, as ``uptime`` prints it."""
    return f"{os.getloadavg()[0]:.2f}"


def measure(workers: int, jobs: int, setup: Setup, root: Path) -> tuple[float, Path, str]:
    """Code the notes on ``workers`` fresh workers; return notes/minute, the run, the loads."""
    folder = Path(tempfile.mkdtemp(dir=root))
    for i in range(workers):  # each worker opens its own copy of the Qdrant Edge index
        if workers == 1:
            (folder / f"cache-worker-{i}").symlink_to(setup.cache)  # one process: no copy
        else:
            shutil.copytree(setup.cache, folder / f"cache-worker-{i}", symlinks=True)
    # the bench decides the model: the caller's CLH_LLM_* settings are left out
    mine = {k: v for k, v in os.environ.items() if not k.startswith("CLH_LLM_")}
    with ExitStack() as stack:
        env = {
            **mine,
            **setup.model_env,
            "CLH_ICD_DIR": setup.release,
            "DATABASE_URI": stack.enter_context(postgres_server()),
            "REDIS_URI": stack.enter_context(redis_server()),
            "N_JOBS_PER_WORKER": str(jobs),
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "LANGSMITH_TRACING": "false",
        }
        started = [start_worker(f"worker-{i}", env, folder) for i in range(workers)]
        try:
            # the first run of a process loads the release (and starts an embedded model)
            # the client keeps every run slot of every worker busy
            slots = workers * jobs
            clh_batch(setup.warm, folder / "warm", started[0].url, env, slots)
            before = load()
            begin = time.monotonic()
            clh_batch(setup.notes, folder / "run", started[0].url, env, slots)
            seconds = time.monotonic() - begin
        finally:
            for worker in started:
                stop(worker)
    count = len(list(setup.notes.glob("*.txt")))
    return count * 60 / seconds, folder / "run", f"{seconds:.0f} s, load {before} -> {load()}"


def where_the_time_goes(run: Path) -> str:
    """Summarize a run's timings.jsonl: seconds per note, the model's share, per agent."""
    rows = [json.loads(line) for line in (run / "timings.jsonl").read_text().splitlines()]
    seconds = [float(r["seconds"]) for r in rows]
    model = sum(float(r.get("model_seconds") or 0) for r in rows)
    agents: dict[str, float] = {}
    for row in rows:
        for agent, value in (row.get("node_seconds_per_agent") or {}).items():
            agents[agent] = agents.get(agent, 0.0) + float(value)
    per_agent = ", ".join(f"{a} {s / len(rows):.1f}" for a, s in sorted(agents.items()))
    return (
        f"  s/note median {statistics.median(seconds):.1f} (wall, as clh batch waited); "
        f"model calls {model / len(rows):.1f} s/note (summed over parallel calls); "
        f"node s/note, summed over parallel branches: {per_agent}"
    )


@contextmanager
def fake_setup(root: Path, notes: int, delay: float) -> Iterator[Setup]:
    """The fixture release, its index, short notes and the fake model at ``delay`` s a call."""
    release, cache = root / "release", root / "cache"
    shutil.copytree(FIXTURE_RELEASE, release)
    icd = IcdResources.load(ResourceSettings.resolve([release], cache))
    build_index(icd, SearchSettings.resolve(), cache)
    icd.close()
    for name in ("notes", "warm"):
        (root / name).mkdir()
    for i in range(notes):
        text = NOTE + f"\nVisit {i}."
        (root / "notes" / f"note{i:02d}.txt").write_text(text)
        (root / "warm" / f"note{i:02d}.txt").write_text(text)
    model = FakeOpenAIServer(answer=answer_by_rules(default_rules()), delay_s=delay)
    with model.running():
        env = {"CLH_LLM_BASE_URL": model.base_url, "CLH_LLM_MODEL": "fake-model"}
        yield Setup(root / "notes", root / "warm", str(release), cache, env)


@contextmanager
def embedded_setup(root: Path, notes: Path) -> Iterator[Setup]:
    """The real release and cache; the embedded model; the first note warms the worker up."""
    release = os.environ.get("CLH_ICD_DIR")
    if not release:
        raise SystemExit("bench: --embedded needs CLH_ICD_DIR (the release files)")
    cache = Path(os.environ.get("CLH_CACHE_DIR", Path.home() / ".cache" / "clh"))
    texts = sorted(notes.glob("*.txt"))
    if len(texts) < 2:
        raise SystemExit(f"bench: {notes} needs 2 notes or more (the first warms up)")
    for name, files in (("warm", texts[:1]), ("notes", texts[1:])):
        (root / name).mkdir()
        for file in files:
            shutil.copy(file, root / name / file.name)
    # no model URL: the worker starts the embedded model
    yield Setup(root / "notes", root / "warm", release, cache.resolve(), {})


def main() -> None:
    """Measure with each number of workers and print two lines each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=12)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per model call")
    parser.add_argument("--jobs", type=int, default=2, help="runs at once per worker")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--embedded", type=Path, help="a folder of .txt notes: real model")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="clh-bench-"))
    try:
        with ExitStack() as stack:
            if args.embedded:
                setup = stack.enter_context(embedded_setup(root, args.embedded))
                model = "embedded model"
            else:
                setup = stack.enter_context(fake_setup(root, args.notes, args.delay))
                model = f"model {args.delay} s/call"
            count = len(list(setup.notes.glob("*.txt")))
            for workers in (int(w) for w in args.workers.split(",")):
                rate, run, loads = measure(workers, args.jobs, setup, root)
                print(
                    f"{workers} worker(s), {args.jobs} runs each, {model}, {count} notes: "
                    f"{rate:.1f} notes/minute ({loads})"
                )
                print(where_the_time_goes(run), flush=True)
    except BaseException:
        print(f"bench: failed; the workers' logs are kept under {root}", file=sys.stderr)
        raise
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
