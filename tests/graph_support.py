"""Graph tests run on the fixture release, a keyword searcher and a fake chat model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graph.deps import Deps, override_deps
from icd_resources import IcdResources
from llm import LLMClient, LLMSettings
from llm.chat import Endpoint
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


def default_rules() -> list[Rule]:
    return [
        (agent_is("evidence_extractor"), lambda s, u: FINDINGS),
        (agent_is("index_navigator"), pick_lines("Cholera, classic A00.0", "Penicillin, adverse")),
        (agent_is("tabular_validator"), pick_lines("A00.0 ", "T36.0X5A")),
        (agent_is("code_reconciler"), pick_lines("A00.0 ", "T36.0X5A")),
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
