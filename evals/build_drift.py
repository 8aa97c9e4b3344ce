"""Do two builds of one index search alike? ``python -m evals.build_drift CACHE_A CACHE_B``.

An HNSW graph is built at random, so two builds of a collection searched through one may return
different dense neighbours; exact dense search (the default) should not. This searches the lane
queries of some CodiEsp dev notes (each codeable mention's query and each sentence, hybrid, as
the lanes do) on the collections of two cache directories and prints how many give the same hits
in the same order: by exact search, or with ``--graph`` at the settings' search ef and at
Qdrant's default.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from evals.codiesp import load_codiesp
from icd_resources import IcdResources, IndexSource, ResourceSettings
from tools.index_search import IndexSearcher, SearchSettings, searchable_query
from tools.index_search.errors import EmptyQueryError
from tools.note_mentions import MentionFinder


def lane_queries(icd: IcdResources, codiesp: Path, notes: int) -> list[str]:
    """Return the distinct queries the mention and sentence lanes search in the first notes."""
    finder = MentionFinder.for_release(icd)
    queries: list[str] = []
    for doc in load_codiesp(codiesp, "dev").docs[:notes]:
        reading = finder.read(doc.text)
        queries += [m.query for m in reading.mentions] + list(reading.sentences)
    kept = []
    for query in dict.fromkeys(queries):
        try:
            searchable_query(query)
        except EmptyQueryError:
            continue
        kept.append(query)
    return kept


def compare(a: IndexSearcher, b: IndexSearcher, queries: list[str], k: int) -> tuple[int, float]:
    """Return how many queries give the same hits in order on both, and the mean overlap."""
    same, overlap = 0, 0.0
    for query, vector in zip(queries, a.encode_queries(queries), strict=True):
        first = [h.entry_id for h in a.search(query, k=k, dense_vector=vector) if h.via == "search"]
        other = [h.entry_id for h in b.search(query, k=k, dense_vector=vector) if h.via == "search"]
        same += first == other
        overlap += len(set(first) & set(other)) / max(len(first), 1)
    return same, overlap / max(len(queries), 1)


def main() -> None:
    """Search both builds and print how alike they are."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="cache directory of one build")
    parser.add_argument("second", type=Path, help="cache directory of the other")
    parser.add_argument("--codiesp", type=Path, default=Path("../shared/data/codiesp"))
    parser.add_argument("--notes", type=int, default=60)
    parser.add_argument("-k", type=int, default=20)
    parser.add_argument("--dense-sources", help="comma-separated (default: the settings')")
    parser.add_argument("--graph", action="store_true", help="builds searched by an HNSW graph")
    args = parser.parse_args()
    icd = IcdResources.load(ResourceSettings.resolve())
    dense = args.dense_sources.split(",") if args.dense_sources else None
    settings = SearchSettings.resolve(dense_sources=dense, exact_dense=not args.graph)
    queries = lane_queries(icd, args.codiesp, args.notes)
    a = IndexSearcher.open(icd, settings, args.first)
    b = IndexSearcher.open(icd, settings, args.second)
    print(f"dense vectors in: {', '.join(IndexSource(s) for s in settings.dense_sources)}")
    ways = {"exact search": settings}
    if args.graph:
        ways = {
            f"search ef={ef or 'Qdrant default'}": dataclasses.replace(settings, hnsw_ef=ef)
            for ef in dict.fromkeys((settings.hnsw_ef, None))
        }
    for label, way in ways.items():
        for searcher in (a, b):
            searcher.backend.settings = way  # type: ignore[attr-defined]
        same, overlap = compare(a, b, queries, args.k)
        print(
            f"{label}: {same}/{len(queries)} queries "
            f"({same / max(len(queries), 1):.3f}) give the same {args.k} hits in the same "
            f"order on both builds; mean overlap {overlap:.4f}"
        )
    a.close()
    b.close()


if __name__ == "__main__":
    main()
