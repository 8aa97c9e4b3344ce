"""Hybrid (dense + BM25) search over every Alphabetic Index entry of the release."""

from tools.index_search.build import IndexManifest, build_index
from tools.index_search.errors import (
    EmptyQueryError,
    IndexNotBuiltError,
    SearchBackendError,
    SearchError,
)
from tools.index_search.protocol import Searcher
from tools.index_search.searcher import (
    HitCode,
    IndexSearcher,
    SearchHit,
    XrefHit,
    hit_line,
    searchable_query,
)
from tools.index_search.settings import SearchMode, SearchSettings

__all__ = [
    "EmptyQueryError",
    "HitCode",
    "IndexManifest",
    "IndexNotBuiltError",
    "IndexSearcher",
    "SearchBackendError",
    "SearchError",
    "SearchHit",
    "SearchMode",
    "SearchSettings",
    "Searcher",
    "XrefHit",
    "build_index",
    "hit_line",
    "searchable_query",
]
