"""Adapters that turn a coder into the runner's ``async (Doc) -> row`` function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from evals.doc_types import Doc
from graph.context import Context

NoteCoder = Callable[[Doc], Awaitable[dict[str, Any]]]


def graph_note_coder(graph: Any, context: Context, *, keep_result: bool = True) -> NoteCoder:
    """Code each note with the compiled graph; keep the funnel and accounting for the summary.

    Times (request latency, wall time) go to the row's ``timing``, which the runner keeps
    apart from the predictions: the same note coded twice gives the same row.
    """

    async def code_note(doc: Doc) -> dict[str, Any]:
        out = await graph.ainvoke({"note": doc.text, "note_id": doc.id}, context=context)
        result = out["result"]
        counts, timing = split_timing(result["accounting"])
        row = {
            "pred": [c["code"] for c in result["codes"]],
            "funnel": result["funnel"],
            "accounting": counts,
            "failures": result["failures"],
            "timing": timing,
        }
        if keep_result:
            row["result"] = {**result, "accounting": counts}
        return row

    return code_note


_TIMES = ("latency_s", "wall_seconds", "node_seconds_per_agent")


def split_timing(accounting: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a result's accounting into counts (reproducible) and times (never the same)."""
    counts = {key: _without_times(value) for key, value in accounting.items() if key not in _TIMES}
    timing = {
        "model_seconds": accounting.get("total", {}).get("latency_s", 0.0),
        "wall_seconds": accounting.get("wall_seconds"),
        "node_seconds_per_agent": accounting.get("node_seconds_per_agent", {}),
    }
    return counts, timing


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if k not in _TIMES}
    return value
