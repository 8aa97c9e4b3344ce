"""Print notes/minute of `clh batch --server` on 1 and 2 workers, the model a fixed-time fake.

Run from the repository root in the server venv (it reuses the deployment test's pieces):
``PYTHONPATH=. .venv-server/bin/python deploy/bench.py --notes 12 --delay 0.2``. Postgres,
Redis and the workers are throwaway instances on free 127.0.0.1 ports; what it measures is
the server's own overhead around a model that always takes ``--delay`` seconds a call.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from icd_resources import IcdResources, ResourceSettings
from tests.conftest import FIXTURE_RELEASE
from tests.fakes import FakeOpenAIServer, answer_by_rules
from tests.graph_support import NOTE, default_rules
from tests.integration.test_deployment import clh_batch, start_worker
from tests.services import postgres_server, redis_server
from tools.index_search import SearchSettings, build_index


def measure(workers: int, notes: int, delay: float, jobs: int, root: Path) -> float:
    """Code ``notes`` notes on ``workers`` fresh workers; return notes per minute."""
    release, cache = root / "release", root / "cache"
    if not release.exists():
        shutil.copytree(FIXTURE_RELEASE, release)
        icd = IcdResources.load(ResourceSettings.resolve([release], cache))
        build_index(icd, SearchSettings.resolve(), cache)
        icd.close()
    folder = Path(tempfile.mkdtemp(dir=root))
    shutil.copytree(cache, folder / "cache")
    (folder / "notes").mkdir()
    for i in range(notes):
        (folder / "notes" / f"note{i:02d}.txt").write_text(NOTE + f"\nVisit {i}.")
    model = FakeOpenAIServer(answer=answer_by_rules(default_rules()), delay_s=delay)
    with ExitStack() as stack:
        env = {
            **os.environ,
            "CLH_ICD_DIR": str(release),
            "CLH_LLM_BASE_URL": stack.enter_context(model.running()).base_url,
            "CLH_LLM_MODEL": "fake-model",
            "DATABASE_URI": stack.enter_context(postgres_server()),
            "REDIS_URI": stack.enter_context(redis_server()),
            "N_JOBS_PER_WORKER": str(jobs),
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "LANGSMITH_TRACING": "false",
        }
        started = [start_worker(f"worker-{i}", env, folder) for i in range(workers)]
        try:
            # a warm-up note per worker: the first run of a process loads the release
            clh_batch(folder / "notes", folder / "warm", started[0].url, env)
            begin = time.monotonic()
            clh_batch(folder / "notes", folder / "run", started[0].url, env)
            seconds = time.monotonic() - begin
        finally:
            for worker in started:
                worker.process.terminate()
                try:
                    worker.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.process.kill()
    return notes * 60 / seconds


def main() -> None:
    """Measure with 1 and 2 workers and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=12)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per model call")
    parser.add_argument("--jobs", type=int, default=2, help="runs at once per worker")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="clh-bench-"))
    try:
        for workers in (1, 2):
            rate = measure(workers, args.notes, args.delay, args.jobs, root)
            print(
                f"{workers} worker(s), {args.jobs} runs each, model {args.delay} s/call, "
                f"{args.notes} notes: {rate:.1f} notes/minute"
            )
    except BaseException:
        print(f"bench: failed; the workers' logs are kept under {root}", file=sys.stderr)
        raise
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
