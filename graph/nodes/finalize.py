"""finalize: build the coding result once, from the state LangGraph merged after the last pass."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context, get_context
from graph.deps import get_deps
from graph.result import build_result
from graph.state import CodingState


async def finalize(state: CodingState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Return the result a reviewer reads: the final codes, then everything considered."""
    deps = await asyncio.to_thread(get_deps, get_context(runtime))
    result = build_result(state, lambda code: deps.icd.lookup(code).description)
    plan = state.get("plan")  # what the run did, for whoever reads the result
    return {"result": {**result, "plan": plan.model_dump(mode="json") if plan else None}}
