"""One collection design, two backends: Qdrant Edge in-process, or a Qdrant server.

Both hold a ``bm25`` sparse vector (IDF modifier) per entry, and a ``dense`` vector (cosine)
per entry of the sources that carry one
(``SearchSettings.dense_sources``). Both backends answer nearest-neighbour queries only; the
ranking, and the reciprocal rank fusion of hybrid search, happen here, in one deterministic
function (:func:`rank_hits`, :func:`fuse_rrf`): equal scores are ordered by entry id, so the same
query gives the same hits in the same order on every run and on either backend. Dense search is
exact by default (no graph is built), so two builds of one index search alike too; an HNSW
graph (``SearchSettings.exact_dense=False``) is approximate and built at random: two builds may
differ in a few dense neighbours, which a wide search (``SearchSettings.hnsw_ef``) keeps rare.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from tools.index_search.documents import IndexDocument
from tools.index_search.errors import IndexNotBuiltError, SearchBackendError
from tools.index_search.settings import SearchMode, SearchSettings

Sparse = tuple[list[int], list[float]]
DENSE = "dense"
SPARSE = "bm25"


@dataclass(frozen=True, slots=True)
class RawHit:
    """A point returned by a backend."""

    id: int
    score: float
    payload: dict[str, Any]


# Hits fetched beyond the cut so that the entries tied at the cut can be told apart.
_MARGIN = 20


def rank_hits(hits: Sequence[RawHit], limit: int, *, fetched: int) -> list[RawHit]:
    """Order hits by score, then entry id, and keep ``limit`` of them.

    When the store returned as many hits as asked for (``fetched``), entries tied with the
    last one may exist beyond it, and which of them came back is arbitrary: those ties are
    dropped, unless that leaves fewer than ``limit`` hits.
    """
    ordered = sorted(hits, key=lambda h: (-h.score, h.id))
    if len(ordered) >= fetched and ordered:
        sure = [h for h in ordered if h.score > ordered[-1].score]
        if len(sure) >= limit:
            ordered = sure
    return ordered[:limit]


def fuse_rrf(lists: Sequence[Sequence[RawHit]], limit: int, k: int) -> list[RawHit]:
    """Fuse ranked lists by reciprocal rank fusion: score = sum of 1 / (k + rank).

    Entries with equal scores in one list share its rank (1 + the number scoring higher), so
    the arbitrary order of ties cannot change a fused score.
    """
    fused: dict[int, float] = {}
    payloads: dict[int, dict[str, Any]] = {}
    for hits in lists:
        for hit in hits:
            rank = 1 + sum(1 for other in hits if other.score > hit.score)
            fused[hit.id] = fused.get(hit.id, 0.0) + 1.0 / (k + rank)
            payloads.setdefault(hit.id, hit.payload)
    ranked = sorted(fused, key=lambda i: (-fused[i], i))[:limit]
    return [RawHit(i, fused[i], payloads[i]) for i in ranked]


def query_ranked(
    nearest: Any,
    dense: list[float] | None,
    sparse: Sparse | None,
    mode: SearchMode,
    limit: int,
    settings: SearchSettings,
) -> list[RawHit]:
    """Run a dense, sparse or hybrid query through a backend's ``nearest(using, vector, n)``."""
    wanted = [(DENSE, dense), (SPARSE, sparse)]
    if mode is not SearchMode.HYBRID:
        wanted = [(DENSE, dense)] if mode is SearchMode.DENSE else [(SPARSE, sparse)]
    depth = limit if mode is not SearchMode.HYBRID else max(limit, settings.prefetch)
    lists = []
    for using, vector in wanted:
        if vector is None:
            continue
        fetched = depth + _MARGIN
        lists.append(rank_hits(nearest(using, vector, fetched), depth, fetched=fetched))
    if mode is not SearchMode.HYBRID:
        return lists[0] if lists else []
    return fuse_rrf(lists, limit, settings.rrf_k)


class Backend(Protocol):
    """What the searcher and the builder need from a vector store."""

    def create(self, dimension: int) -> None:
        """Create an empty collection, replacing any old one."""

    def upsert(
        self,
        docs: Sequence[IndexDocument],
        dense: Sequence[NDArray[np.float32] | None],
        sparse: Sequence[Sparse],
    ) -> None:
        """Store a batch of documents with their vectors (None: a document with no dense one)."""

    def finish(self) -> None:
        """Index the payload and build the HNSW graph, then persist."""

    def query(
        self,
        dense: list[float] | None,
        sparse: Sparse | None,
        mode: SearchMode,
        limit: int,
        sources: Sequence[str] | None,
        dense_sources: Sequence[str] | None = None,
    ) -> list[RawHit]:
        """Return the best points for a query.

        ``sources`` restricts every hit (None: any source); ``dense_sources``, when given,
        restricts the dense neighbours instead (the sources that carry a dense vector).
        """

    def count(self) -> int:
        """Return the number of stored points."""

    def close(self) -> None:
        """Release the collection."""


def _edge_params(settings: SearchSettings) -> Any:
    """Return a dense query's search parameters: a full scan, or the graph's width."""
    import qdrant_edge as qe

    if settings.exact_dense:
        return qe.SearchParams(exact=True)
    return qe.SearchParams(hnsw_ef=settings.hnsw_ef)


class EdgeBackend:
    """An embedded Qdrant Edge shard in a directory."""

    def __init__(self, path: Path, settings: SearchSettings) -> None:
        self.path = path
        self.settings = settings
        self._shard: Any = None

    def open(self) -> EdgeBackend:
        """Load an existing shard.

        Raises:
            IndexNotBuiltError: when it is missing or unreadable.
        """
        import qdrant_edge as qe

        if not self.path.is_dir():
            raise IndexNotBuiltError(f"no search index at {self.path}: run `clh index build`")
        try:
            self._shard = qe.EdgeShard.load(str(self.path))
        except Exception as exc:  # the Rust core raises its own error types
            if "WouldBlock" in str(exc):
                raise SearchBackendError(
                    f"the search index at {self.path} is open in another process: Qdrant Edge "
                    "serves one process at a time. Close the other one, or share the index "
                    "through a Qdrant server (CLH_QDRANT_URL)"
                ) from exc
            if not os.access(self.path, os.R_OK | os.W_OK | os.X_OK) or "ermission" in str(exc):
                # Qdrant Edge opens its shard for writing: a read-only cache is not a broken index.
                raise SearchBackendError(
                    f"the search index at {self.path} is not writable by this user ({exc}): "
                    "Qdrant Edge needs read and write access to its shard. Fix the permissions "
                    "or point CLH_CACHE_DIR at a writable copy; rebuilding would not help"
                ) from exc
            raise IndexNotBuiltError(
                f"the search index at {self.path} cannot be read ({exc}): run "
                "`clh index build --force`"
            ) from exc
        return self

    def create(self, dimension: int) -> None:
        import qdrant_edge as qe

        hnsw = qe.HnswIndexConfig(
            m=self.settings.graph_m,
            ef_construct=self.settings.hnsw_ef_construct,
            full_scan_threshold=10_000,
        )
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dimension, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            hnsw_config=hnsw,
        )
        self.path.mkdir(parents=True, exist_ok=True)
        self._shard = qe.EdgeShard.create(str(self.path), config)

    def upsert(
        self,
        docs: Sequence[IndexDocument],
        dense: Sequence[NDArray[np.float32] | None],
        sparse: Sequence[Sparse],
    ) -> None:
        import qdrant_edge as qe

        points = [
            qe.Point(
                doc.id,
                {SPARSE: qe.SparseVector(*terms)}
                | ({} if vector is None else {DENSE: vector.tolist()}),
                doc.payload,
            )
            for doc, vector, terms in zip(docs, dense, sparse, strict=True)
        ]
        self._shard.update(qe.UpdateOperation.upsert_points(points))

    def finish(self) -> None:
        import qdrant_edge as qe

        self._shard.update(
            qe.UpdateOperation.create_field_index("source", qe.PayloadSchemaType.Keyword)
        )
        self._shard.optimize()
        self._shard.flush()

    def query(
        self,
        dense: list[float] | None,
        sparse: Sparse | None,
        mode: SearchMode,
        limit: int,
        sources: Sequence[str] | None,
        dense_sources: Sequence[str] | None = None,
    ) -> list[RawHit]:
        import qdrant_edge as qe

        def where(chosen: Sequence[str] | None) -> Any:
            if not chosen:
                return None
            return qe.Filter(
                must=[qe.FieldCondition(key="source", match=qe.MatchAny(any=list(chosen)))]
            )

        def nearest(using: str, vector: Any, n: int) -> list[RawHit]:
            query = vector if using == DENSE else qe.SparseVector(*vector)
            request = qe.QueryRequest(
                limit=n,
                query=qe.Query.Nearest(query, using=using),
                filter=where(dense_sources if using == DENSE and dense_sources else sources),
                with_payload=True,
                params=_edge_params(self.settings) if using == DENSE else None,
            )
            try:
                points = self._shard.query(request)
            except Exception as exc:  # the Rust core raises its own error types
                raise SearchBackendError(f"Qdrant Edge query failed: {exc}") from exc
            return [RawHit(int(p.id), float(p.score), dict(p.payload or {})) for p in points]

        return query_ranked(nearest, dense, sparse, mode, limit, self.settings)

    def count(self) -> int:
        return int(self._shard.info().points_count)

    def close(self) -> None:
        if self._shard is not None:
            self._shard.close()
            self._shard = None


class ServerBackend:
    """A collection on a Qdrant server (or in ``qdrant-client``'s local mode, same code path)."""

    def __init__(self, settings: SearchSettings, collection: str) -> None:
        from qdrant_client import QdrantClient

        self.settings = settings
        self.collection = collection
        if settings.qdrant_url:
            try:
                self.client = QdrantClient(
                    url=settings.qdrant_url,
                    api_key=settings.qdrant_api_key,
                    timeout=int(max(1, settings.timeout_s)),
                    check_compatibility=False,
                )
            except ValueError as exc:  # urllib3's LocationParseError is a ValueError
                raise SearchBackendError(
                    f"--qdrant-url / CLH_QDRANT_URL {settings.qdrant_url!r} is not a URL "
                    f"({exc}): give one such as http://localhost:6333"
                ) from exc
            where = settings.qdrant_url
        else:
            self.client = QdrantClient(path=settings.qdrant_path)
            where = f"local mode at {settings.qdrant_path}"
        try:
            self.client.get_collections()
        except Exception as exc:  # connection refused, timeout, TLS, HTTP errors alike
            raise SearchBackendError(
                f"the Qdrant server at {where} did not answer within {settings.timeout_s:.0f} s "
                f"({type(exc).__name__}): check CLH_QDRANT_URL and that the server is up"
            ) from exc

    def exists(self) -> bool:
        """Say whether the collection exists."""
        return bool(self.client.collection_exists(self.collection))

    def create(self, dimension: int) -> None:
        from qdrant_client import models

        if self.exists():
            self.client.delete_collection(self.collection)
        self.client.create_collection(
            self.collection,
            vectors_config={
                DENSE: models.VectorParams(
                    size=dimension,
                    distance=models.Distance.COSINE,
                    hnsw_config=models.HnswConfigDiff(
                        m=self.settings.graph_m, ef_construct=self.settings.hnsw_ef_construct
                    ),
                )
            },
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )

    def upsert(
        self,
        docs: Sequence[IndexDocument],
        dense: Sequence[NDArray[np.float32] | None],
        sparse: Sequence[Sparse],
    ) -> None:
        from qdrant_client import models

        self.client.upsert(
            self.collection,
            points=[
                models.PointStruct(
                    id=doc.id,
                    payload=doc.payload,
                    vector={SPARSE: models.SparseVector(indices=terms[0], values=terms[1])}
                    | ({} if vector is None else {DENSE: vector.tolist()}),
                )
                for doc, vector, terms in zip(docs, dense, sparse, strict=True)
            ],
        )

    def finish(self) -> None:
        from qdrant_client import models

        with warnings.catch_warnings():  # local mode says payload indexes have no effect there
            warnings.simplefilter("ignore")
            self.client.create_payload_index(
                self.collection, "source", models.PayloadSchemaType.KEYWORD
            )

    def query(
        self,
        dense: list[float] | None,
        sparse: Sparse | None,
        mode: SearchMode,
        limit: int,
        sources: Sequence[str] | None,
        dense_sources: Sequence[str] | None = None,
    ) -> list[RawHit]:
        from qdrant_client import models

        def where(chosen: Sequence[str] | None) -> Any:
            if not chosen:
                return None
            return models.Filter(
                must=[models.FieldCondition(key="source", match=models.MatchAny(any=list(chosen)))]
            )

        def nearest(using: str, vector: Any, n: int) -> list[RawHit]:
            query = (
                vector
                if using == DENSE
                else models.SparseVector(indices=vector[0], values=vector[1])
            )
            try:
                result = self.client.query_points(
                    self.collection,
                    query=query,
                    using=using,
                    query_filter=where(
                        dense_sources if using == DENSE and dense_sources else sources
                    ),
                    limit=n,
                    with_payload=True,
                    search_params=models.SearchParams(
                        hnsw_ef=self.settings.hnsw_ef, exact=self.settings.exact_dense
                    )
                    if using == DENSE
                    else None,
                )
            except Exception as exc:  # qdrant-client raises transport and HTTP errors alike
                raise SearchBackendError(f"Qdrant query failed: {exc}") from exc
            return [RawHit(int(p.id), float(p.score), dict(p.payload or {})) for p in result.points]

        return query_ranked(nearest, dense, sparse, mode, limit, self.settings)

    def count(self) -> int:
        return int(self.client.count(self.collection).count)

    def close(self) -> None:
        self.client.close()
