"""Adapters that turn a coder into the runner's ``async (Doc) -> row`` function."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from evals.doc_types import Doc
from graph.context import Context
from graph.errors import NoteError

NoteCoder = Callable[[Doc], Awaitable[dict[str, Any]]]


def graph_note_coder(
    graph: Any, context: Context, *, keep_result: bool = True, run_key: str | None = None
) -> NoteCoder:
    """Code each note with the compiled graph; keep the funnel and accounting for the summary.

    A note that carries its encounter setting (``Doc.setting``) is coded in that setting.

    Times (request latency, wall time) go to the row's ``timing``, which the runner keeps
    apart from the predictions: the same note coded twice gives the same row.

    With ``run_key`` (for a graph compiled with a checkpointer) each note is a thread named as
    on a server, so a note cut off mid-run resumes from its last saved step, and a finished
    one is read back.
    """

    async def code_note(doc: Doc) -> dict[str, Any]:
        # The note's own setting decides uncertain diagnoses (OCG II.H inpatient, IV.H outpatient).
        note_context = replace(context, setting=doc.setting) if doc.setting else context
        note = {"note": doc.text, "note_id": doc.id}
        if run_key is None:
            out = await graph.ainvoke(note, context=note_context)
            return result_row(out["result"], keep_result=keep_result)
        config = {"configurable": {"thread_id": note_thread(run_key, doc.id)}}
        state = await graph.aget_state(config)
        out = state.values if state.values and not state.next else None
        if out is None or not isinstance(out.get("result"), dict):
            out = await graph.ainvoke(None if state.next else note, config, context=note_context)
        return result_row(out["result"], keep_result=keep_result)

    return code_note


def note_thread(run_key: str, note_id: str) -> str:
    """Return the thread id of one note of one batch (the same on every resume)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run_key}/{note_id}"))


def result_row(result: dict[str, Any], *, keep_result: bool) -> dict[str, Any]:
    """Turn a coding result into the runner's row: predictions, funnel, counts, timing."""
    counts, timing = split_timing(result["accounting"])
    row = {
        "pred": [c["code"] for c in result["codes"]],
        # The full ranking (final codes, then everything considered): what MAP scores.
        "ranked": result.get("ranking") or [c["code"] for c in result["codes"]],
        "funnel": result["funnel"],
        "accounting": counts,
        "failures": result["failures"],
        "timing": timing,
    }
    if keep_result:
        row["result"] = {**result, "accounting": counts}
    return row


# Run statuses of a run that is still to finish on the server.
_HELD = ("pending", "running")


def server_note_coder(url: str, run_key: str, *, assistant: str = "clh") -> NoteCoder:
    """Code each note as a run on a LangGraph server (``langgraph dev`` or a deployment).

    Each note gets its own thread, named from ``run_key`` and the note id, so a resumed batch
    finds the thread again: a run that finished on the server is read back, and one still
    queued or running there is joined, not resubmitted.
    """
    from langgraph_sdk import get_client

    client = get_client(url=url)

    async def code_note(doc: Doc) -> dict[str, Any]:
        thread_id = note_thread(run_key, doc.id)
        await client.threads.create(thread_id=thread_id, if_exists="do_nothing")
        state = await client.threads.get_state(thread_id)
        values = state.get("values") or {}
        result = values.get("result") if isinstance(values, dict) else None
        if not isinstance(result, dict) or state.get("next"):
            # A run the server still holds (queued, or taken over after a restart) is waited
            # for, not submitted again: the note keeps one run.
            held = [r for r in await client.runs.list(thread_id) if r["status"] in _HELD]
            out: Any
            if held:
                out = await client.runs.join(thread_id, held[0]["run_id"])
            else:
                input_ = {"note": doc.text, "note_id": doc.id}
                out = await client.runs.wait(thread_id, assistant, input=input_)
            result = out.get("result") if isinstance(out, dict) else None
        if not isinstance(result, dict):
            raise NoteError(f"the server at {url} returned no result for note {doc.id}")
        return result_row(result, keep_result=True)

    return code_note


# What differs between two runs of the same note: times, and answers served by the response
# cache (a rerun from the cache must write the same predictions).
_TIMES = ("latency_s", "wall_seconds", "node_seconds_per_agent", "cache_hits")


def split_timing(accounting: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a result's accounting into counts (reproducible) and times (never the same)."""
    counts = {key: _without_times(value) for key, value in accounting.items() if key not in _TIMES}
    timing = {
        "model_seconds": accounting.get("total", {}).get("latency_s", 0.0),
        "wall_seconds": accounting.get("wall_seconds"),
        "node_seconds_per_agent": accounting.get("node_seconds_per_agent", {}),
        "cache_hits": accounting.get("total", {}).get("cache_hits", 0),
    }
    return counts, timing


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if k not in _TIMES}
    return value
