# The Send targets take their payload TypedDict (input_schema), not the state; langgraph's
# add_node overloads cannot express that pairing for async nodes with a runtime.
# mypy: disable-error-code="arg-type,call-overload"
"""Every node, edge and policy of the coding graph, on one screen."""

from __future__ import annotations

from typing import Any

from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy

from graph.context import Context
from graph.nodes.code_reconciler import code_reconciler
from graph.nodes.evidence_extractor import evidence_extractor
from graph.nodes.index_navigator import index_navigator
from graph.nodes.passes import merge_candidates, merge_findings, prepare_pass
from graph.nodes.tabular_validator import tabular_validator
from graph.routing import (
    fan_out_chapters,
    fan_out_chunks,
    fan_out_findings,
    route_after_code_reconciler,
)
from graph.state import (
    ChapterTask,
    ChunkTask,
    CodingInput,
    CodingOutput,
    CodingState,
    FindingTask,
)


def _transient(error: Exception) -> bool:
    # Model-server trouble is retried inside the model client (llm.client); a node is
    # retried only for errors of the local embedded server's transport. Parser and validation
    # errors (ValueError) are never retried: they are recorded as failures instead.
    return isinstance(error, ConnectionError | TimeoutError)


def build_graph(checkpointer: Any = None, cache: Any = None) -> Any:
    """Compile the coding graph.

    Args:
        checkpointer: a LangGraph checkpointer (InMemorySaver, SqliteSaver...) to keep every
            step, resume after a failure, and read or fork any refinement pass.
        cache: an optional LangGraph node cache.
    """
    retry = RetryPolicy(max_attempts=2, retry_on=_transient)
    builder = StateGraph(
        CodingState, context_schema=Context, input_schema=CodingInput, output_schema=CodingOutput
    )
    builder.add_node("prepare_pass", prepare_pass)
    builder.add_node(
        "evidence_extractor", evidence_extractor, retry_policy=retry, input_schema=ChunkTask
    )
    builder.add_node("merge_findings", merge_findings)
    builder.add_node(
        "index_navigator", index_navigator, retry_policy=retry, input_schema=FindingTask
    )
    builder.add_node("merge_candidates", merge_candidates)
    builder.add_node(
        "tabular_validator", tabular_validator, retry_policy=retry, input_schema=ChapterTask
    )
    builder.add_node("code_reconciler", code_reconciler, retry_policy=retry)

    builder.add_edge(START, "prepare_pass")
    builder.add_conditional_edges("prepare_pass", fan_out_chunks, ["evidence_extractor"])
    builder.add_edge("evidence_extractor", "merge_findings")
    builder.add_conditional_edges(
        "merge_findings", fan_out_findings, ["index_navigator", "code_reconciler"]
    )
    builder.add_edge("index_navigator", "merge_candidates")
    builder.add_conditional_edges(
        "merge_candidates", fan_out_chapters, ["tabular_validator", "code_reconciler"]
    )
    builder.add_edge("tabular_validator", "code_reconciler")
    builder.add_conditional_edges(
        "code_reconciler", route_after_code_reconciler, ["prepare_pass", "__end__"]
    )
    return builder.compile(checkpointer=checkpointer, cache=cache, name="clh")
