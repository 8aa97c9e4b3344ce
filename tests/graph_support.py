"""Graph tests run on the fixture release, a keyword searcher and a fake chat model."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from clh_llm import LLMClient, LLMSettings
from clh_llm.chat import Endpoint
from graph.deps import Deps, override_deps
from icd_resources import IcdResources
from tests.fakes import FakeChatModel, FakeSearcher, Rule, agent_is, pick_lines

NOTE = (
    "Patient with classic cholera and severe dehydration.\n"
    "Adverse effect of penicillin noted.\nNo fever."
)
FINDINGS = (
    '<think>two findings</think><answer>[{"term": "Cholera", "modifiers": ["classic"], '
    '"evidence": "classic cholera"}, {"term": "Penicillin", "modifiers": '
    '["adverse effect"], "evidence": "Adverse effect of penicillin"}]</answer>'
)


def letter_choice(weight_of: Callable[[str], float]) -> Callable[[str, str], AIMessage]:
    """Answer a listwise question: each option line's weight, and "None of these" 1 - sum.

    Options are the prompt's "X. CODE description" lines; their weights become the first
    token's top logprobs, as a server reports them.
    """

    def reply(_system: str, user: str) -> AIMessage:
        options = re.findall(r"^([A-Z])\. (.*)$", user, flags=re.MULTILINE)
        weights = {label: weight_of(line) for label, line in options if line != "None of these"}
        none = next(label for label, line in options if line == "None of these")
        weights[none] = max(1e-6, 1.0 - sum(weights.values()))
        top = [{"token": label, "logprob": math.log(max(w, 1e-6))} for label, w in weights.items()]
        best = max(top, key=lambda t: t["logprob"])
        content = [{**best, "top_logprobs": top}]
        return AIMessage(
            content=best["token"], response_metadata={"logprobs": {"content": content}}
        )

    return reply


def default_rules() -> list[Rule]:
    return [
        (agent_is("evidence_extractor"), lambda s, u: FINDINGS),
        (agent_is("index_navigator"), pick_lines("Cholera, classic A00.0", "Penicillin, adverse")),
        (agent_is("tabular_validator"), pick_lines("A00.0 ", "T36.0X5A")),
        (agent_is("code_reconciler"), pick_lines("A00.0 ", "T36.0X5A")),
        (agent_is("choice"), letter_choice(lambda line: 0.9 if line.startswith("A00.0 ") else 0)),
    ]


@pytest.fixture
def make_deps(fixture_icd: IcdResources) -> Iterator[Callable[..., tuple[Deps, FakeChatModel]]]:
    """Install deps with a fake model following ``rules`` (default: code cholera + penicillin)."""
    stack: list[Any] = []

    def make(rules: list[Rule] | None = None, **settings: Any) -> tuple[Deps, FakeChatModel]:
        fake = FakeChatModel(rules if rules is not None else default_rules())
        llm = LLMClient(
            LLMSettings.resolve(base_url="http://fake/v1", retry_backoff_s=0.01, **settings),
            Endpoint("http://fake/v1", "fake-model", False),
            chat_model=fake,
        )
        deps = Deps(fixture_icd, FakeSearcher(fixture_icd), llm)
        manager = override_deps(deps)
        manager.__enter__()
        stack.append(manager)
        return deps, fake

    yield make
    for manager in reversed(stack):
        manager.__exit__(None, None, None)
