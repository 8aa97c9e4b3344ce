"""The self-hosted deployment: two server workers over one Postgres and one Redis.

``clh batch --server`` codes a folder of notes on the LangGraph Agent Server (stock
``langgraph-api`` on the open ``langgraph-runtime-pg`` runtime, started by ``langhost``), the
model being the fake OpenAI-compatible server answering by prompt content. One worker is
killed (SIGKILL) while it runs a note: the batch still codes every note exactly once, and its
CSV is the CSV of an uninterrupted batch.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from icd_resources import IcdResources, ResourceSettings
from tests.conftest import FIXTURE_RELEASE, REPO_ROOT
from tests.fakes import FakeOpenAIServer, answer_by_rules
from tests.graph_support import NOTE, default_rules
from tests.services import ServiceMissing, free_port, postgres_server, redis_server, wait_for_port
from tools.index_search import SearchSettings, build_index

LANGHOST = Path(sys.executable).with_name("langhost")
if importlib.util.find_spec("langgraph_runtime_pg") is None or not LANGHOST.exists():
    pytest.skip(
        "the server extra is not installed (pip install -e '.[server]' in its own venv)",
        allow_module_level=True,
    )

NOTES = 10
# Every model call takes this long: a note is a few seconds, long enough to be killed mid-run.
MODEL_DELAY_S = 0.3
# The worker's heartbeat in Redis (seconds): a run whose worker stopped beating is requeued
# after about twice this; the default (minutes) is too slow for a test.
HEARTBEAT_S = "1"


@dataclass
class Worker:
    """One server process: its URL, process and log file."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        """The log without its colour codes."""
        return re.sub(r"\x1b\[[0-9;]*m", "", self.log.read_text(errors="replace"))


@dataclass
class Deployment:
    workers: list[Worker]
    env: dict[str, str]


def start_worker(name: str, env: dict[str, str], folder: Path) -> Worker:
    """Start ``langhost serve`` on a free loopback port; wait (bounded) until it answers.

    Qdrant Edge serves one process at a time and no Qdrant server can be installed here, so
    each worker gets its own copy of the index built once (a deployment shares one Qdrant
    server through CLH_QDRANT_URL instead, see docs/deploy.md).
    """
    port = free_port()
    log = folder / f"{name}.log"
    cache = folder / f"cache-{name}"
    shutil.copytree(folder / "cache", cache)
    env = {**env, "CLH_CACHE_DIR": str(cache)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(LANGHOST), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_for_port(port, process, log, 120)
    return Worker(name, f"http://127.0.0.1:{port}", process, log)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Postgres, Redis, the fake model and two workers, on the fixture release."""
    folder = tmp_path_factory.mktemp("deployment")
    release, cache = folder / "release", folder / "cache"
    shutil.copytree(FIXTURE_RELEASE, release)
    icd = IcdResources.load(ResourceSettings.resolve([release], cache))
    build_index(icd, SearchSettings.resolve(), cache)  # once, before the workers open it
    icd.close()
    model = FakeOpenAIServer(answer=answer_by_rules(default_rules()), delay_s=MODEL_DELAY_S)
    with ExitStack() as stack:
        try:
            database = stack.enter_context(postgres_server())
            redis = stack.enter_context(redis_server())
        except ServiceMissing as exc:
            pytest.skip(str(exc))
        stack.enter_context(model.running())
        env = {
            **os.environ,
            "CLH_ICD_DIR": str(release),
            "CLH_CACHE_DIR": str(cache),
            "CLH_LLM_BASE_URL": model.base_url,
            "CLH_LLM_MODEL": "fake-model",
            "DATABASE_URI": database,
            "REDIS_URI": redis,
            "N_JOBS_PER_WORKER": "2",
            "LG_BG_JOB_HEARTBEAT": HEARTBEAT_S,
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "LANGSMITH_TRACING": "false",
        }
        workers = []
        try:
            for name in ("worker-a", "worker-b"):
                workers.append(start_worker(name, env, folder))
            yield Deployment(workers, env)
        finally:
            for worker in workers:
                if worker.process.poll() is None:
                    worker.process.terminate()
                    try:
                        worker.process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        worker.process.kill()


def write_notes(folder: Path) -> Path:
    folder.mkdir()
    for i in range(NOTES):
        (folder / f"note{i:02d}.txt").write_text(NOTE + f"\nVisit {i}.")
    return folder


def clh_batch(notes: Path, out: Path, server: str, env: dict[str, str]) -> str:
    """Run ``clh batch --server`` as a user would; return its output (bounded in time)."""
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("clh")),
            "batch",
            str(notes),
            "--out",
            str(out),
            "--server",
            server,
            "--concurrency",
            "4",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def runs_per_note(server: str, run_dir: Path) -> dict[str, list[str]]:
    """The status of every run the server holds for each note of a batch."""
    from langgraph_sdk import get_client

    async def statuses() -> dict[str, list[str]]:
        client = get_client(url=server)
        found = {}
        for i in range(NOTES):
            note_id = f"note{i:02d}"
            thread = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run_dir.resolve()}/{note_id}"))
            found[note_id] = [run["status"] for run in await client.runs.list(thread)]
        return found

    return asyncio.run(statuses())


def test_a_batch_on_two_workers_codes_every_note_once(
    deployment: Deployment, tmp_path: Path
) -> None:
    a, b = deployment.workers
    notes = write_notes(tmp_path / "notes")
    output = clh_batch(notes, tmp_path / "run", a.url, deployment.env)
    assert f"coded {NOTES} new notes" in output
    lines = (tmp_path / "run" / "codes.csv").read_text().splitlines()
    assert lines[0] == "note_id,rank,code,description,evidence,error"
    assert len(lines) == 1 + 2 * NOTES
    assert {line.split(",")[2] for line in lines[1:]} == {"A00.0", "T36.0X5A"}
    assert runs_per_note(a.url, tmp_path / "run") == {
        f"note{i:02d}": ["success"] for i in range(NOTES)
    }
    # both workers took runs from the one queue
    assert "Background run succeeded" in a.log_text()
    assert "Background run succeeded" in b.log_text()


def kill_when_running(worker: Worker, seconds: float) -> threading.Thread:
    """SIGKILL ``worker`` as soon as its log shows a run started after now (bounded wait)."""
    already = worker.log_text().count("Starting background run")

    def watch() -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if worker.log_text().count("Starting background run") > already:
                time.sleep(MODEL_DELAY_S)  # inside the run, between two model calls
                worker.process.send_signal(signal.SIGKILL)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_worker_killed_mid_batch_loses_nothing(deployment: Deployment, tmp_path: Path) -> None:
    a, b = deployment.workers
    notes = write_notes(tmp_path / "notes")
    clh_batch(notes, tmp_path / "whole", a.url, deployment.env)

    killer = kill_when_running(b, seconds=120)
    output = clh_batch(notes, tmp_path / "cut", a.url, deployment.env)
    killer.join(timeout=5)
    assert b.process.poll() == -signal.SIGKILL  # the worker died in the middle of the batch
    assert f"coded {NOTES} new notes" in output
    assert (tmp_path / "cut" / "codes.csv").read_text() == (
        tmp_path / "whole" / "codes.csv"
    ).read_text()
    # every note ran once: the killed worker's run was taken over by the other, not resubmitted
    assert runs_per_note(a.url, tmp_path / "cut") == {
        f"note{i:02d}": ["success"] for i in range(NOTES)
    }
    # ...because the other worker found its heartbeat gone and ran it again from its checkpoint
    assert "Swept stale run" in a.log_text()
    assert "run_attempt=2" in a.log_text()
