"""The searcher as a type: what the graph and the tools may ask of it, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from icd_resources import IcdResources
from tests.fakes import FakeSearcher
from tools.candidate_pool import CandidatePool
from tools.index_search import IndexSearcher, Searcher
from tools.index_walk import IndexWalker
from tools.langchain_tools import IndexRetriever
from tools.note_lanes import pool_note
from tools.note_mentions import MentionFinder


class EmbeddingSearcher(FakeSearcher):
    """The keyword fake, recording what it is asked to embed and which vector each search got."""

    def __init__(self, icd: Any) -> None:
        super().__init__(icd)
        self.embedded: list[list[str]] = []
        self.vectors: dict[str, Any] = {}

    def encode_queries(self, texts: Any) -> list[list[float]]:
        self.embedded.append(list(texts))
        return [[float(len(text))] for text in texts]

    def search(self, query: str, *, k: int = 10, mode: Any = None, **options: Any) -> list[Any]:
        self.vectors[query] = options.get("dense_vector")
        return super().search(query, k=k, mode=mode)


def test_the_index_searcher_and_the_test_double_are_searchers(fixture_icd: IcdResources) -> None:
    assert issubclass(IndexSearcher, Searcher)
    assert isinstance(FakeSearcher(fixture_icd), Searcher)


def test_an_object_that_only_searches_is_not_a_searcher() -> None:
    class SearchOnly:
        def search(self, query: str, **options: Any) -> list[Any]:
            return []

    assert not isinstance(SearchOnly(), Searcher)
    with pytest.raises(ValidationError, match="instance of Searcher"):
        IndexRetriever(searcher=SearchOnly())


def test_the_lanes_embed_their_queries_together_and_search_each_with_its_vector(
    fixture_icd: IcdResources,
) -> None:
    searcher = EmbeddingSearcher(fixture_icd)
    note = "Classic cholera with dehydration since Monday."
    pool_note(
        note,
        CandidatePool(fixture_icd),
        searcher,
        MentionFinder.for_release(fixture_icd),
        IndexWalker(fixture_icd),
        lanes=("mention", "walk"),
    )
    (embedded,) = searcher.embedded  # one batch for the whole note
    assert embedded and len(embedded) == len(set(embedded))
    assert set(searcher.vectors) == set(embedded)
    assert all(vector == [float(len(q))] for q, vector in searcher.vectors.items())
