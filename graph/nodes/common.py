"""Small helpers every node uses: timing records, failure records, accounting records."""

from __future__ import annotations

import time
from typing import Any

from graph.schemas import Failure
from llm import Answer, AnswerFailure


def timing(agent: str, started: float, pass_index: int) -> dict[str, Any]:
    """Return a wall-time record of one node run."""
    return {"agent": agent, "seconds": round(time.perf_counter() - started, 3), "pass": pass_index}


def call_records(outcome: Answer[Any] | AnswerFailure) -> list[dict[str, Any]]:
    """Return the accounting records of an answer or a failure."""
    return [c.to_dict() for c in outcome.calls]


def failure(agent: str, scope: str, outcome: AnswerFailure) -> Failure:
    """Turn a model failure into the record the result shows."""
    return Failure(
        agent=agent, scope=scope, reason=outcome.reason, last_reply=outcome.last_reply[-2000:]
    )
