"""Checkpoints know clh's state types: resuming a run logs no 'unregistered type' warning."""

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
          "r": [Rejected(step="s", item="i", reason="r")], "plan": plan}}
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
