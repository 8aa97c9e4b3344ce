"""The only place that builds clients: release, index searcher and model client, cached.

Tests and embedding applications can install their own with :func:`override_deps`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from clh_llm import LLMClient, LLMSettings
from graph.context import Context
from icd_resources import IcdResources, ResourceSettings
from tools.index_search import IndexSearcher, Searcher, SearchSettings
from tools.index_walk import IndexWalker
from tools.note_mentions import MentionFinder


@dataclass
class Deps:
    """What the nodes call: the release, the index searcher and the model client."""

    icd: IcdResources
    searcher: Searcher
    llm: LLMClient
    _readers: tuple[MentionFinder, IndexWalker] | None = field(default=None, repr=False)

    def readers(self) -> tuple[MentionFinder, IndexWalker]:
        """Return the mention finder and the index walker of the release (built on first use)."""
        with _lock:
            if self._readers is None:
                self._readers = (MentionFinder.for_release(self.icd), IndexWalker(self.icd))
            return self._readers


_lock = threading.Lock()
_cache: dict[tuple[Any, ...], Deps] = {}
_override: Deps | None = None


def get_deps(context: Context) -> Deps:
    """Return the clients for a run's context, building them once per configuration."""
    if _override is not None:
        return _override
    key = (
        context.base_url,
        context.model,
        context.decoding,
        tuple(sorted(context.agent_decoding.items())),
        context.search_mode,
        context.response_cache,
    )
    with _lock:
        if key not in _cache:
            _cache[key] = _build(context)
        return _cache[key]


def _build(context: Context) -> Deps:
    resources = ResourceSettings.resolve()
    icd = IcdResources.load(resources)
    searcher = IndexSearcher.open(
        icd, SearchSettings.resolve(mode=context.search_mode), resources.cache_dir
    )
    llm = LLMClient.from_settings(model_settings(context), resources.cache_dir)
    return Deps(icd, searcher, llm)


def model_settings(context: Context) -> LLMSettings:
    """Return the model settings a context asks for (explicit values, then the environment)."""
    settings = LLMSettings.resolve(
        base_url=context.base_url,
        model=context.model,
        decoding=context.decoding,
        response_cache=context.response_cache,
    )
    if context.agent_decoding:
        merged = {**settings.agent_decoding, **context.agent_decoding}
        settings = replace(settings, agent_decoding=merged)
    return settings


@contextmanager
def override_deps(deps: Deps) -> Iterator[Deps]:
    """Use these clients for every run inside the block (tests, embedding applications)."""
    global _override
    previous, _override = _override, deps
    try:
        yield deps
    finally:
        _override = previous
