"""Search the Alphabetic Index the way a coder looks a term up, with cross-references followed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from icd_resources import IcdResources, IndexSource
from tools.index_search.backends import Backend, EdgeBackend, RawHit, ServerBackend, Sparse
from tools.index_search.build import edge_path, manifest_path, read_manifest, server_collection
from tools.index_search.encoders import DenseEncoder, SparseEncoder
from tools.index_search.errors import EmptyQueryError, IndexNotBuiltError, SearchError
from tools.index_search.settings import DEFAULT_MODEL, SearchMode, SearchSettings

_MAX_CHECKED_WORDS = 12  # the words of a note's sentence checked against the index
_MAX_QUERY_CHARS = 4000  # beyond what either encoder reads; the rest only costs time
_SEARCHABLE = re.compile(
    r"[A-Za-z0-9]"
)  # beyond what either encoder reads; the rest only costs time


@dataclass(frozen=True, slots=True)
class HitCode:
    """A code an entry points to; ``expanded`` lists billable codes when asked for."""

    code: str
    role: str
    incomplete: bool
    expanded: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class XrefHit:
    """Where a hit's ``see``/``see also`` instruction leads, with the codes found there."""

    kind: str
    text: str
    target_path: str | None
    exact: bool
    codes: tuple[HitCode, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One index entry returned for a query.

    ``via`` is ``search`` for ranked hits and ``see also: <path>`` for the further hits a
    ``see also`` instruction offers.
    """

    entry_id: int
    source: IndexSource
    path: str
    display: str
    score: float
    codes: tuple[HitCode, ...]
    see: str = ""
    see_also: str = ""
    xrefs: tuple[XrefHit, ...] = field(default_factory=tuple)
    via: str = "search"

    def reachable_codes(self) -> set[str]:
        """Return every code this hit leads to: its own, cross-referenced, and expansions."""
        codes: set[str] = set()
        for item in (*self.codes, *(c for x in self.xrefs for c in x.codes)):
            codes.add(item.code)
            codes.update(item.expanded)
        return codes


def searchable_query(query: str) -> str:
    """Return the query as searched (blanks folded, cut to what the encoders read).

    Raises:
        EmptyQueryError: for an empty query, or one with no letter or digit: the index is
            English, and punctuation, emoji or another script would match unrelated entries
            by vector similarity alone.
    """
    text = " ".join(query.split())[:_MAX_QUERY_CHARS]
    if not text:
        raise EmptyQueryError("the search query is empty")
    if not _SEARCHABLE.search(text):
        raise EmptyQueryError(
            f"no searchable words in the query {text[:60]!r}: search for English words"
        )
    return text


def _not_built(release: str, model: str) -> str:
    """Say why there is no index: an unknown model name, or an index never built."""
    if model != DEFAULT_MODEL and not Path(model).expanduser().exists():
        return (
            f"unknown embedding model {model!r}: no index was built with it and it is not a "
            f"local path; use the default ({DEFAULT_MODEL}), or build one with "
            f"`clh index build --model {model}`"
        )
    return f"no search index for release {release} with model {model!r}: run `clh index build`"


def hit_line(hit: SearchHit) -> str:
    """Render a hit as the index line a coder reads, with where its see-references lead."""
    line = hit.display
    for xref in hit.xrefs:
        if xref.kind == "see" and xref.target_path and xref.codes:
            codes = " ".join(c.code + ("-" if c.incomplete else "") for c in xref.codes)
            line += f" [see {xref.target_path}: {codes}]"
    return line


class IndexSearcher:
    """Dense, sparse or hybrid search over the built collection of one release."""

    def __init__(
        self,
        icd: IcdResources,
        settings: SearchSettings,
        backend: Backend,
        dense: DenseEncoder | None = None,
    ) -> None:
        self.icd = icd
        self.settings = settings
        self.backend = backend
        self.dense = dense or DenseEncoder(settings.model)
        self.sparse = SparseEncoder()

    @classmethod
    def open(cls, icd: IcdResources, settings: SearchSettings, cache_dir: Path) -> IndexSearcher:
        """Open the collection built for this release and settings.

        Raises:
            IndexNotBuiltError: when it was never built (or is unreadable).
            SearchBackendError: when a Qdrant server does not answer.
        """
        backend: Backend
        if settings.backend == "edge":
            if read_manifest(manifest_path(icd, settings, cache_dir)) is None:
                raise IndexNotBuiltError(_not_built(icd.release, settings.model))
            backend = EdgeBackend(edge_path(icd, settings, cache_dir), settings).open()
        else:
            server = ServerBackend(settings, server_collection(icd, settings))
            if not server.exists():
                server.close()
                raise IndexNotBuiltError(
                    f"the Qdrant server has no collection {server.collection!r}: run "
                    "`clh index build` with the same CLH_QDRANT_URL"
                )
            backend = server
        return cls(icd, settings, backend)

    def close(self) -> None:
        """Release the backend."""
        self.backend.close()

    def encode_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed many queries at once, one vector each, for ``search(dense_vector=...)``."""
        vectors: list[list[float]] = self.dense.encode_queries(list(texts)).tolist()
        return vectors

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        mode: SearchMode | str | None = None,
        sources: Sequence[IndexSource | str] | None = None,
        expand: bool = False,
        dense_vector: Sequence[float] | None = None,
        depth: int = 0,
        main_terms_first: bool = False,
    ) -> list[SearchHit]:
        """Return the top-k index entries for a query, with their cross-references.

        Args:
            query: free text (a term, a phrase, a sentence of a note).
            k: number of ranked hits (default: settings.top_k).
            mode: dense, sparse or hybrid (default: settings.mode).
            sources: restrict to some index sources (default: settings.sources).
            expand: add the billable codes below incomplete or non-billable codes.
            dense_vector: the query's embedding, when the caller encoded many at once.
            depth: rank this many entries, then keep the first ``k``: with one depth, a
                larger ``k`` only adds hits below those of a smaller one.
            main_terms_first: put the main terms titled by the whole query first (a coder
                starts at the main term: OCG I.A.1 and the index's own conventions).

        Raises:
            EmptyQueryError: for a query with no text.
            SearchError: for a dense search of sources that have no dense vectors.
        """
        text = searchable_query(query)
        limit = k or self.settings.top_k
        chosen = SearchMode(mode or self.settings.mode)
        wanted = [IndexSource(s).value for s in (sources or self.settings.sources)]
        all_sources = len(wanted) == len(IndexSource)
        meant = [s for s in wanted if IndexSource(s) in self.settings.dense_sources]
        if chosen is SearchMode.DENSE and not meant:
            raise SearchError(
                f"the index holds no dense vectors for {', '.join(wanted)}: those entries are "
                "searched by BM25 alone (mode sparse or hybrid)"
            )
        dense, sparse = self._query_vectors(text, chosen, dense_vector, bool(meant))
        if chosen is SearchMode.SPARSE and sparse is None:
            return []  # only stop words: nothing for BM25 to match
        raw = self.backend.query(
            dense,
            sparse,
            chosen,
            max(limit, depth),
            None if all_sources else wanted,
            None if len(meant) == len(IndexSource) else meant,
        )
        top = raw[0].score if raw else 0.0
        first = self._main_terms(text, wanted, expand, top) if main_terms_first else []
        return self._with_see_also(self._top_hits(first, raw, limit, expand), expand)

    def _top_hits(
        self, first: list[SearchHit], raw: Sequence[RawHit], limit: int, expand: bool
    ) -> list[SearchHit]:
        """Return the first ``limit`` hits: ``first``, then the ranked entries not among them."""
        hits = list(first)
        taken = {(h.source, h.entry_id) for h in hits}
        for r in raw:
            if len(hits) >= limit:
                break
            hit = self._hit(r, expand)
            if (hit.source, hit.entry_id) not in taken:
                hits.append(hit)
        return hits[:limit]

    def _with_see_also(self, hits: list[SearchHit], expand: bool) -> list[SearchHit]:
        """Return the hits, then the targets of their ``see also`` references not among them."""
        further = [self._see_also_hit(h, expand) for h in hits if h.see_also]
        seen = {h.entry_id for h in hits}
        return hits + [h for h in further if h is not None and h.entry_id not in seen]

    def _query_vectors(
        self, text: str, mode: SearchMode, dense_vector: Sequence[float] | None, embedded: bool
    ) -> tuple[list[float] | None, Sparse | None]:
        """Return the query's dense vector and BM25 vector, each None where the mode needs none.

        The dense vector is None too where none of the searched sources is embedded, and the
        BM25 vector for a query of stop words only (nothing to match).
        """
        dense: list[float] | None = None
        if mode in (SearchMode.DENSE, SearchMode.HYBRID) and embedded:
            dense = (
                list(dense_vector)
                if dense_vector is not None
                else self.dense.encode([text])[0].tolist()
            )
        sparse = self.sparse.query(text) if mode in (SearchMode.SPARSE, SearchMode.HYBRID) else None
        return dense, sparse if sparse is not None and sparse[0] else None

    def unknown_words(self, query: str) -> tuple[list[str], int]:
        """Return the query's words that no index entry holds, and how many words count.

        Stop words do not count. A query in another language (or misspelt) is mostly
        unknown words, which dense vectors would still match to something unrelated.
        """
        unknown: list[str] = []
        counted = 0
        for word in dict.fromkeys(searchable_query(query).split()[:_MAX_CHECKED_WORDS]):
            sparse = self.sparse.query(word)
            if not sparse[0]:
                continue  # a stop word
            counted += 1
            if not self.backend.query(None, sparse, SearchMode.SPARSE, 1, None):
                unknown.append(word)
        return unknown, counted

    def _main_terms(
        self, text: str, sources: list[str], expand: bool, score: float
    ) -> list[SearchHit]:
        """Return the main terms titled by the whole query, as hits ranked above the rest."""
        hits = []
        for entry in self.icd.find_main_terms(text):
            if entry.source.value not in sources:
                continue
            codes = tuple(self._code(c.code, c.role, c.incomplete, expand) for c in entry.codes)
            xrefs = tuple(
                self._xref(t.kind, t.text, t.entry_id, t.exact, expand)
                for t in self.icd.resolve_xref(entry.id)
            )
            hits.append(
                SearchHit(
                    entry.id,
                    entry.source,
                    entry.path,
                    entry.display,
                    score,
                    codes,
                    entry.see,
                    entry.see_also,
                    xrefs,
                )
            )
        return hits

    def _hit(self, raw: RawHit, expand: bool, via: str = "search") -> SearchHit:
        meta: dict[str, Any] = raw.payload.get("metadata", raw.payload)
        codes = tuple(
            self._code(c["code"], c["role"], bool(c["incomplete"]), expand)
            for c in meta.get("codes", [])
        )
        source = IndexSource(meta["source"])
        xrefs = (
            tuple(
                self._xref(t.kind, t.text, t.entry_id, t.exact, expand)
                for t in self.icd.resolve_xref(int(meta["entry_id"]))
            )
            if source is not IndexSource.TABULAR  # descriptions have no cross-references
            else ()
        )
        return SearchHit(
            int(meta["entry_id"]),
            source,
            meta["path"],
            meta["display"],
            raw.score,
            codes,
            meta.get("see", ""),
            meta.get("see_also", ""),
            xrefs,
            via,
        )

    def _see_also_hit(self, hit: SearchHit, expand: bool) -> SearchHit | None:
        target = next((x for x in hit.xrefs if x.kind == "seeAlso" and x.target_path), None)
        if target is None:
            return None
        entries = [e for e in self.icd.find_index_path(target.target_path or "")]
        if not entries:
            return None
        entry = entries[0]
        codes = tuple(self._code(c.code, c.role, c.incomplete, expand) for c in entry.codes)
        return SearchHit(
            entry.id,
            entry.source,
            entry.path,
            entry.display,
            0.0,
            codes,
            entry.see,
            entry.see_also,
            (),
            f"see also: {hit.path}",
        )

    def _xref(self, kind: str, text: str, target: int | None, exact: bool, expand: bool) -> XrefHit:
        if target is None:
            return XrefHit(kind, text, None, False)
        entry = self.icd.index_entry(target)
        codes = tuple(self._code(c.code, c.role, c.incomplete, expand) for c in entry.codes)
        return XrefHit(kind, text, entry.path, exact, codes if kind == "see" else ())

    def _code(self, code: str, role: str, incomplete: bool, expand: bool) -> HitCode:
        if (
            not expand
            or not self.icd.exists(code)
            or (self.icd.is_billable(code) and not incomplete)
        ):
            return HitCode(code, role, incomplete)
        leaves = tuple(c.code for c in self.icd.billable_descendants(code))
        return HitCode(code, role, incomplete, leaves)
