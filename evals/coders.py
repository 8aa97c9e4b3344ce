"""Adapters that turn a coder into the runner's ``async (Doc) -> row`` function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from evals.doc_types import Doc
from graph.context import Context

NoteCoder = Callable[[Doc], Awaitable[dict[str, Any]]]


def graph_note_coder(graph: Any, context: Context, *, keep_result: bool = True) -> NoteCoder:
    """Code each note with the compiled graph; keep the funnel and accounting for the summary."""

    async def code_note(doc: Doc) -> dict[str, Any]:
        out = await graph.ainvoke({"note": doc.text, "note_id": doc.id}, context=context)
        result = out["result"]
        row = {
            "pred": [c["code"] for c in result["codes"]],
            "funnel": result["funnel"],
            "accounting": result["accounting"],
            "failures": result["failures"],
        }
        if keep_result:
            row["result"] = result
        return row

    return code_note
