"""What every agent node repeats, once: timer, context, plan, deps, prompts, records.

A node opens an :class:`AgentRun`, renders its prompt, asks the model, records the outcome
and returns :meth:`AgentRun.finish`'s partial update::

    run = await AgentRun.start(Node.INDEX_NAVIGATOR, runtime, task)
    outcome = await run.deps.llm.ask_ids(run.agent, run.render(...), ids, note_id=run.note_id)
    if not run.record(outcome, scope="finding f1"):
        return run.finish()
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langgraph.runtime import Runtime
from typing_extensions import TypeIs

from clh_llm import Answer, AnswerFailure, Decoding
from graph.context import Context, get_context
from graph.deps import Deps, get_deps
from graph.names import Node
from graph.plan import RunPlan, run_plan
from graph.schemas import Failure, Rejected
from prompts import render_prompt


@dataclass
class AgentRun:
    """One run of one agent node: its settings, plan, clients and the records it will return."""

    agent: Node
    context: Context
    plan: RunPlan
    deps: Deps
    pass_index: int
    note_id: str
    started: float = field(default_factory=time.perf_counter)
    calls: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    @classmethod
    async def start(
        cls, agent: Node, runtime: Runtime[Context] | None, task: Mapping[str, Any]
    ) -> AgentRun:
        """Open a run: read the context, the plan and the clients (the first use loads models).

        Args:
            agent: the node.
            runtime: the node's runtime (its context).
            task: the node's state or ``Send`` payload: its pass, note id and plan.
        """
        context = get_context(runtime)
        deps = await asyncio.to_thread(get_deps, context)  # loading blocks: off the event loop
        plan = await run_plan(task, context)
        pass_index = task.get("pass_index", 1)
        return cls(agent, context, plan, deps, pass_index, task.get("note_id") or "note")

    @property
    def decoding(self) -> Decoding:
        """Return how this agent answers in this run."""
        return self.plan.decoding_of(self.agent)

    @property
    def structured(self) -> bool:
        """Say whether this agent decodes structured (JSON schema) rather than thinking."""
        return self.decoding == Decoding.STRUCTURED

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """Render this agent's prompt in the configured version."""
        version = self.context.prompt_versions.get(self.agent, "v1")
        return render_prompt(self.agent, version, structured=self.structured, **variables)

    def record(self, outcome: Answer[Any] | AnswerFailure, scope: str) -> TypeIs[Answer[Any]]:
        """Keep a model outcome's call records; every failed call becomes a visible Failure.

        Returns:
            True when the model gave a usable answer.
        """
        self.calls += [c.to_dict() for c in outcome.calls]
        if isinstance(outcome, AnswerFailure):
            self.failures.append(
                Failure(
                    agent=self.agent,
                    scope=scope,
                    reason=outcome.reason,
                    last_reply=outcome.last_reply[-2000:],
                )
            )
            return False
        if outcome.reasks:
            self.failures.append(
                Failure(
                    agent=self.agent,
                    scope=scope,
                    reason=f"{len(outcome.reasks)} repl{'y' if len(outcome.reasks) == 1 else 'ies'}"
                    f" not used as given: {'; '.join(outcome.reasks)}",
                    recovered=True,
                )
            )
        return True

    def reject(self, item: str, reason: str) -> None:
        """Record something considered and dropped, with the reason a reviewer reads."""
        self.rejected.append(Rejected(step=self.agent, item=item, reason=reason))

    def finish(self, **update: Any) -> dict[str, Any]:
        """Return the node's partial update: the given keys plus the run's records."""
        seconds = round(time.perf_counter() - self.started, 3)
        return {
            **update,
            "calls": self.calls,
            "failures": self.failures,
            "rejected": self.rejected,
            "timings": [{"agent": str(self.agent), "seconds": seconds, "pass": self.pass_index}],
        }
