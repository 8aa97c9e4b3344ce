"""Checkpoints know clh's state types: resuming a run logs no 'unregistered type' warning."""

import os
import subprocess
import sys

PROBE = """
import logging
logging.basicConfig(level=logging.WARNING)
from graph.checkpoints import STATE_TYPES, serializer
from graph.context import Context
from graph.plan import build_plan
from graph.schemas import Finding, Rejected, Span
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from clh_llm import LLMSettings
from tools.lanes import Lane
serde = {serde}
plan = build_plan(Context(), LLMSettings(), model="m", release="r")
span = Span(text="x", start=0, end=1)
value = {{"f": [Finding(id="a", term="b", spans=[span], lane=Lane.MENTION)],
          "r": [Rejected(step="note_lanes", item="i", reason="r")], "plan": plan}}
assert serde.loads_typed(serde.dumps_typed(value)) == value
"""


def _stderr(serde: str) -> str:
    probe = PROBE.format(serde=serde)
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stderr


def test_registered_types_round_trip_without_warnings() -> None:
    assert "unregistered type" in _stderr("JsonPlusSerializer()")  # what LangGraph does alone
    assert "unregistered type" not in _stderr("serializer()")


# A server's saver: LangGraph's own serializer, no clh types registered, strict mode on.
RUN_PROBE = """
import asyncio, logging, shutil, tempfile
from pathlib import Path
logging.basicConfig(level=logging.WARNING)
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from graph.builder import build_graph
from graph.context import Context
from graph.deps import Deps, override_deps
from graph.schemas import Finding
from icd_resources import IcdResources, ResourceSettings
from clh_llm import LLMClient, LLMSettings
from clh_llm.chat import Endpoint
from tests.conftest import FIXTURE_RELEASE
from tests.fakes import FakeChatModel, FakeSearcher
from tests.graph_support import NOTE, default_rules

root = Path(tempfile.mkdtemp())
shutil.copytree(FIXTURE_RELEASE, root / "release")
icd = IcdResources.load(ResourceSettings.resolve([root / "release"], root / "cache"))
llm = LLMClient(LLMSettings.resolve(base_url="http://fake/v1"),
                Endpoint("http://fake/v1", "fake-model", False),
                chat_model=FakeChatModel(default_rules()))

async def main():
    config = {"configurable": {"thread_id": "t"}}
    with override_deps(Deps(icd, FakeSearcher(icd), llm)):
        graph = build_graph(checkpointer=InMemorySaver(serde=JsonPlusSerializer()))
        await graph.ainvoke({"note": NOTE, "note_id": "n"}, config, context=Context())
        async for _ in graph.aget_state_history(config):
            pass
        values = (await graph.aget_state(config)).values
    assert [c["code"] for c in values["result"]["codes"]] == ["A00.0", "T36.0X5A"]
    assert all(isinstance(f, Finding) for f in values["findings"])

asyncio.run(main())
shutil.rmtree(root)
"""


def test_strict_mode_allows_every_type_a_run_stores(tmp_path) -> None:
    # What a server does with LANGGRAPH_STRICT_MSGPACK=true: LangGraph allows the types the
    # state's annotations name, and blocks (with a warning) any other a checkpoint holds.
    done = subprocess.run(
        [sys.executable, "-c", RUN_PROBE],
        capture_output=True,
        text=True,
        env={**os.environ, "LANGGRAPH_STRICT_MSGPACK": "true", "HOME": str(tmp_path)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Blocked deserialization" not in done.stderr
    assert "unregistered type" not in done.stderr
