"""The self-hosted deployment: two server workers over one Postgres and one Redis.

``clh batch --server`` codes a folder of notes on the LangGraph Agent Server (stock
``langgraph-api`` on the open ``langgraph-runtime-pg`` runtime, started by ``langhost``), the
model being the fake OpenAI-compatible server answering by prompt content. One worker is
killed (SIGKILL) while it runs a note: the batch still codes every note exactly once, and its
CSV is the CSV of an uninterrupted batch. Then the whole server stops mid-batch and starts
again: ``clh batch`` run again finishes the batch, each note still with one run.
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

NOTES = 20
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
    folder: Path
    model: FakeOpenAIServer


def start_worker(name: str, env: dict[str, str], folder: Path, port: int | None = None) -> Worker:
    """Start ``langhost serve`` on ``port`` (default: a free one); wait (bounded) until it answers.

    Qdrant Edge serves one process at a time and no Qdrant server can be installed here, so
    each worker gets its own copy of the index built once (a deployment shares one Qdrant
    server through CLH_QDRANT_URL instead, see docs/deploy.md).
    """
    port = port or free_port()
    log = folder / f"{name}.log"
    cache = folder / f"cache-{name}"
    if not cache.exists():
        shutil.copytree(folder / "cache", cache)
    env = {**env, "CLH_CACHE_DIR": str(cache)}
    with log.open("ab") as out:  # a restarted worker goes on with its log
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
            yield Deployment(workers, env, folder, model)
        finally:
            for worker in workers:
                stop(worker)


def stop(worker: Worker) -> None:
    """Stop a worker that still runs: SIGTERM, then SIGKILL after 30 s."""
    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.process.kill()


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("notes")
    for i in range(NOTES):
        (folder / f"note{i:02d}.txt").write_text(NOTE + f"\nVisit {i}.")
    return folder


@pytest.fixture(scope="module")
def uninterrupted(deployment: Deployment, notes: Path, tmp_path_factory) -> tuple[Path, str]:
    """The batch coded once on the two workers, nothing killed: its run folder and output."""
    run = tmp_path_factory.mktemp("uninterrupted") / "run"
    return run, clh_batch(notes, run, deployment.workers[0].url, deployment.env)


def batch_command(notes: Path, out: Path, server: str, concurrency: int = 4) -> list[str]:
    """The ``clh batch --server`` command line a user would type."""
    clh = str(Path(sys.executable).with_name("clh"))
    return [
        *(clh, "batch", str(notes), "--out", str(out), "--server", server),
        *("--concurrency", str(concurrency)),
    ]


def clh_batch(
    notes: Path, out: Path, server: str, env: dict[str, str], concurrency: int = 4
) -> str:
    """Run ``clh batch --server`` as a user would; return its output (bounded in time)."""
    command = batch_command(notes, out, server, concurrency)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
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
    deployment: Deployment, uninterrupted: tuple[Path, str]
) -> None:
    a, b = deployment.workers
    run, output = uninterrupted
    assert f"coded {NOTES} new notes" in output
    lines = (run / "codes.csv").read_text().splitlines()
    assert lines[0] == "note_id,rank,code,description,evidence,error"
    assert len(lines) == 1 + 2 * NOTES
    assert {line.split(",")[2] for line in lines[1:]} == {"A00.0", "T36.0X5A"}
    assert runs_per_note(a.url, run) == {f"note{i:02d}": ["success"] for i in range(NOTES)}
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


def test_a_worker_killed_mid_batch_loses_nothing(
    deployment: Deployment, notes: Path, uninterrupted: tuple[Path, str], tmp_path: Path
) -> None:
    a, b = deployment.workers
    killer = kill_when_running(b, seconds=120)
    output = clh_batch(notes, tmp_path / "cut", a.url, deployment.env)
    killer.join(timeout=5)
    assert b.process.poll() == -signal.SIGKILL  # the worker died in the middle of the batch
    assert f"coded {NOTES} new notes" in output
    whole = uninterrupted[0] / "codes.csv"
    assert (tmp_path / "cut" / "codes.csv").read_text() == whole.read_text()
    # every note ran once: the killed worker's run was taken over by the other, not resubmitted
    assert runs_per_note(a.url, tmp_path / "cut") == {
        f"note{i:02d}": ["success"] for i in range(NOTES)
    }
    # ...because the other worker found its heartbeat gone and ran it again from its checkpoint
    log = a.log_text()
    assert "Swept stale run" in log
    assert "run_attempt=2" in log


def speed_up_on_join(deployment: Deployment, seconds: float) -> threading.Thread:
    """Give the model its usual speed once a worker's log shows a run joined (bounded wait)."""

    def watch() -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any("/join" in worker.log_text() for worker in deployment.workers):
                break
            time.sleep(0.1)
        deployment.model.delay_s = MODEL_DELAY_S

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def lines_in(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_the_server_restarted_mid_batch_clh_batch_resumes(
    deployment: Deployment, notes: Path, uninterrupted: tuple[Path, str], tmp_path: Path
) -> None:
    run = tmp_path / "run"
    a = deployment.workers[0]
    batch = subprocess.Popen(
        batch_command(notes, run, a.url),
        env=deployment.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180
    while lines_in(run / "predictions.jsonl") < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    for worker in deployment.workers:  # the whole server goes down, runs still in flight
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGKILL)
            worker.process.wait(timeout=30)
    _, stderr = batch.communicate(timeout=120)
    coded_before = lines_in(run / "predictions.jsonl")
    assert batch.returncode == 2 and "the LangGraph server at" in stderr, stderr
    assert 3 <= coded_before < NOTES
    # the server comes back on the same addresses (the batch was started through this one),
    # its model slow until the batch joins a run, so that the runs it took over on restart
    # are still running when the batch asks for them
    deployment.model.delay_s = 10 * MODEL_DELAY_S
    try:
        for i, worker in enumerate(deployment.workers):
            port = int(worker.url.rsplit(":", 1)[1])
            restarted = start_worker(worker.name, deployment.env, deployment.folder, port)
            deployment.workers[i] = restarted
        fast_again = speed_up_on_join(deployment, seconds=240)
        output = clh_batch(notes, run, a.url, deployment.env)
        fast_again.join(timeout=5)
    finally:
        deployment.model.delay_s = MODEL_DELAY_S
    assert f"coded {NOTES - coded_before} new notes" in output
    assert (run / "codes.csv").read_text() == (uninterrupted[0] / "codes.csv").read_text()
    # the runs cut off by the restart were taken over on the server, and the batch waited for
    # them (joined them) instead of submitting the notes again: one run per note
    assert runs_per_note(a.url, run) == {f"note{i:02d}": ["success"] for i in range(NOTES)}
    assert any("/join" in worker.log_text() for worker in deployment.workers)
