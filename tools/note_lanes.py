"""The deterministic lanes of a note's candidate pool: what rules alone can look up.

- ``mention``: each codeable mention's clause searched in the index and the tabular
  descriptions (a historical mention also as "personal history of ...", OCG I.C.21.c.4);
- ``walk``: each mention's main term walked down the sub-terms its sentence supports;
- ``sentence``: each sentence searched whole (the widest net, the least precise).

Mentions that are negated, about family, hypothetical or (outside inpatient care) uncertain
yield no candidate; they come back as rejected, with the reason, for the reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tools.candidate_pool import CandidatePool
from tools.index_search import EmptyQueryError, IndexSearcher
from tools.index_walk import IndexWalker
from tools.note_mentions import REASONS, Assertion, Mention, MentionFinder

LANES = ("mention", "walk", "sentence")
DEFAULT_LANES = ("mention", "walk")


@dataclass(slots=True)
class LaneRun:
    """A note's pool, with the mentions read and the ones set aside."""

    pool: CandidatePool
    mentions: list[Mention] = field(default_factory=list)
    set_aside: list[tuple[Mention, str]] = field(default_factory=list)
    queries: int = 0


def pool_note(
    note: str,
    pool: CandidatePool,
    searcher: IndexSearcher,
    finder: MentionFinder,
    walker: IndexWalker,
    *,
    lanes: Sequence[str] = DEFAULT_LANES,
    setting: str = "outpatient",
    k: int = 10,
) -> LaneRun:
    """Run the chosen lanes over a note and add what they find to ``pool``."""
    reading = finder.read(note)
    run = LaneRun(pool, reading.mentions)
    searches: list[tuple[str, str, str]] = []  # (lane, query, context)
    for mention in reading.mentions:
        if not mention.codeable(setting):
            run.set_aside.append((mention, REASONS[mention.assertion]))
            continue
        if "mention" in lanes:
            searches.append(("mention", mention.query, mention.sentence))
            if mention.assertion is Assertion.HISTORICAL:
                searches.append(("mention", f"personal history of {mention.text}", ""))
        if "walk" in lanes:
            for main_term in mention.main_terms:
                found = walker.walk(main_term, mention.sentence)
                pool.add_entries("walk", mention.text, [r.entry for r in found], mention.sentence)
    if "sentence" in lanes:
        searches += [("sentence", s, "") for s in reading.sentences]
    run.queries = _search_all(searcher, pool, searches, k)
    return run


def _search_all(
    searcher: IndexSearcher, pool: CandidatePool, searches: list[tuple[str, str, str]], k: int
) -> int:
    """Search every distinct query once (embedded together) and pool the hits."""
    distinct = list(dict.fromkeys(q for _lane, q, _c in searches))
    encoder = getattr(searcher, "dense", None)  # a test double may embed on its own
    vectors = encoder.encode(distinct) if distinct and encoder is not None else []
    vector_of = dict(zip(distinct, vectors, strict=False))
    done: set[tuple[str, str]] = set()
    for lane, query, context in searches:
        if (lane, query) in done:
            continue
        done.add((lane, query))
        try:
            hits = searcher.search(query, k=k, dense_vector=vector_of.get(query))
        except EmptyQueryError:
            continue
        pool.add_hits(lane, query, [h for h in hits if h.via == "search"], context)
    return len(done)
