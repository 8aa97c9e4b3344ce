"""`langgraph dev` serves the graph; a run is posted to it over HTTP and answered."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from clh_llm.weights import ensure_weights, model_spec
from icd_resources import IcdResources, ResourceSettings
from icd_resources.config import default_cache_dir
from tests.conftest import FIXTURE_RELEASE, REPO_ROOT
from tools.index_search import SearchSettings, build_index

pytestmark = pytest.mark.embedded_model


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(url: str, body: dict | None = None, timeout: float = 10) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the graph with `langgraph dev` on a free port (fixture release, 0.5B model)."""
    langgraph = Path(sys.executable).with_name("langgraph")
    if not langgraph.exists():
        pytest.skip("langgraph-cli is not installed (pip install -e '.[dev]')")
    tmp_path = tmp_path_factory.mktemp("dev")
    release = tmp_path / "release"
    shutil.copytree(FIXTURE_RELEASE, release)
    cache = tmp_path / "cache"
    icd = IcdResources.load(ResourceSettings.resolve([release], cache))
    build_index(icd, SearchSettings.resolve(), cache)
    gguf = ensure_weights(model_spec("qwen2.5-coder-0.5b"), default_cache_dir())
    port = free_port()
    env = {
        **os.environ,
        "CLH_ICD_DIR": str(release),
        "CLH_CACHE_DIR": str(cache),
        "CLH_EMBEDDED_MODEL": "qwen2.5-coder-0.5b",
        "CLH_EMBEDDED_GGUF": str(gguf),
        "CLH_LLM_MAX_TOKENS": "512",
        "CLH_EMBEDDED_CTX": "8192",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    }
    # The server's log goes to a file: a pipe nobody reads fills up and blocks the server.
    log = (tmp_path / "langgraph-dev.log").open("w")
    server = subprocess.Popen(
        [
            str(langgraph),
            "dev",
            "--port",
            str(port),
            "--no-browser",
            "--no-reload",
            "--allow-blocking",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                request(f"{base}/ok", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    log.flush()
                    output = (tmp_path / "langgraph-dev.log").read_text()[-3000:]
                    pytest.fail(f"langgraph dev exited: {output}")
                time.sleep(1)
        else:
            pytest.fail("langgraph dev did not come up within 120 s")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_langgraph_dev_serves_a_run(dev_server: str) -> None:
    assistants = request(f"{dev_server}/assistants/search", {"graph_id": "clh"})
    assert assistants and assistants[0]["graph_id"] == "clh"
    output = request(
        f"{dev_server}/runs/wait",
        {
            "assistant_id": "clh",
            "input": {"note": "Classic cholera with dehydration.", "note_id": "dev"},
        },
        timeout=600,
    )
    assert output["result"]["note_id"] == "dev"
    # the embedded default: the lanes' candidates, each verified by one scored question
    assert output["result"]["accounting"]["per_agent"]["tabular_validator"]["calls"] >= 1


def test_batch_on_the_server_resumes_without_resubmitting(dev_server: str, tmp_path: Path) -> None:
    import asyncio
    import uuid

    from langgraph_sdk import get_client

    from evals.batch import code_batch, load_notes
    from graph.context import Context

    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in [("a", "Classic cholera."), ("b", "Typhoid fever."), ("c", "Fever.")]:
        (folder / f"{name}.txt").write_text(text)
    notes = load_notes(folder)
    run = tmp_path / "run"

    class Stopped(Exception):
        pass

    def stop_after_the_first(done: int, total: int) -> None:
        if done == 1:
            raise Stopped  # the batch is stopped after one note

    with pytest.raises(Stopped):
        asyncio.run(
            code_batch(
                notes,
                run,
                Context(),
                model="server",
                server=dev_server,
                progress=stop_after_the_first,
            )
        )
    resumed = asyncio.run(code_batch(notes, run, Context(), model="server", server=dev_server))
    assert resumed.coded == 2 and resumed.failed == []
    lines = resumed.csv.read_text().splitlines()
    assert {line.split(",")[0] for line in lines[1:]} == {"a", "b", "c"}

    async def runs_of(note_id: str) -> int:
        thread = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run.resolve()}/{note_id}"))
        return len(await get_client(url=dev_server).runs.list(thread))

    assert asyncio.run(runs_of("a")) == 1  # coded once, not resubmitted on resume
