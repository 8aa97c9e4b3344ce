"""What the graph and the tools use of an index searcher, as a type.

:class:`~tools.index_search.searcher.IndexSearcher` is the searcher; tests and embedding
applications may pass any object with these two methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from icd_resources import IndexSource
from tools.index_search.searcher import SearchHit
from tools.index_search.settings import SearchMode


@runtime_checkable
class Searcher(Protocol):
    """Looks terms up in the Alphabetic Index."""

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        mode: SearchMode | str | None = None,
        sources: Sequence[IndexSource | str] | None = None,
        expand: bool = False,
        dense_vector: Sequence[float] | None = None,
    ) -> list[SearchHit]:
        """Return the top-k index entries for a query, with their cross-references.

        Raises:
            EmptyQueryError: for a query with no text.
        """
        ...

    def encode_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed many queries at once, one vector each, for ``search(dense_vector=...)``.

        A note's lanes search dozens of queries: embedding them together is faster than one
        by one, and each query's vector is the same as when it is embedded alone.
        """
        ...
