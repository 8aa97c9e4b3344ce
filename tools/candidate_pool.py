"""Pool a note's candidate codes from every lane that looked something up, one ranking per note.

Each lane (the extractor's findings, the note's mentions, the walk down the index, later the
verifier's needs) hands in ranked lists, one per query. A code's score is the reciprocal rank
fusion over every list that holds it (sum of weight / (k + rank)); incomplete and non-billable
codes are completed to billable codes with the words of the query's context (7th character:
the tabular order puts "A, initial encounter" first when the note states none). Every
candidate keeps the lanes and queries that found it, so a reviewer can see why it is there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from icd_resources import CodeInfo, IcdResources, IndexEntry
from tools.code_cues import unsupported_axis
from tools.index_search import SearchHit
from tools.lanes import Lane
from tools.words import plain_words

_QUERIES_KEPT = 5


def complete_code(
    icd: IcdResources, code: str, context: set[str], limit: int
) -> tuple[list[CodeInfo], int]:
    """Return the billable codes an index code stands for, best first, and how many there are.

    A billable code stands for itself; an incomplete one for its billable descendants, ranked
    by words in common with the context (ties: tabular order), ``limit`` of them kept.
    """
    info = icd.get(code)
    if info is None:
        return [], 0
    if info.billable:
        return [info], 1
    leaves = icd.billable_descendants(code)
    ranked = sorted(leaves, key=lambda c: -len(plain_words(c.description) & context))
    return ranked[:limit], len(leaves)


def ends_in_seventh(icd: IcdResources, code: str) -> bool:
    """Say whether a billable code's last character is a 7th character (OCG I.A.5)."""
    return len(code) == 8 and icd.exists(code[:-1]) and icd.needs_seventh_character(code[:-1])


@dataclass(slots=True)
class PooledCandidate:
    """A billable code in a note's pool, with everything that put it there."""

    code: str
    description: str
    chapter: int
    lane_scores: dict[Lane, float] = field(default_factory=dict)
    """Lane -> its share of the fused score."""
    lanes: dict[Lane, int] = field(default_factory=dict)
    """Lane -> best rank (1-based) the code reached in one of that lane's lists."""
    lists: dict[Lane, int] = field(default_factory=dict)
    """Lane -> how many of that lane's lists (one per query or walk) hold the code."""
    queries: list[str] = field(default_factory=list)
    query_scores: dict[str, float] = field(default_factory=dict)
    """Query -> the best score one of its lists gave the code (which query found it best)."""
    index_path: str = ""
    """The index line (or tabular description) of its best-ranked hit."""
    index_code: str = ""
    """The code that line gave, before completion (E11.2- for E11.22)."""

    @property
    def score(self) -> float:
        """Return the fused score over every lane."""
        return sum(self.lane_scores.values())

    def best_of(self, queries: Iterable[str]) -> str | None:
        """Return the one of ``queries`` that found the code best (None when none found it)."""
        found = [q for q in queries if q in self.query_scores]
        return max(found, key=lambda q: self.query_scores[q]) if found else None

    def score_in(self, lanes: Iterable[Lane]) -> float:
        """Return the fused score over some lanes only."""
        return sum(self.lane_scores.get(lane, 0.0) for lane in lanes)


@dataclass(frozen=True, slots=True)
class RankedCode:
    """One code in one ranked list, with the line that gave it."""

    code: str
    line: str
    index_code: str


class CandidatePool:
    """The pooled candidates of one note."""

    def __init__(
        self,
        icd: IcdResources,
        *,
        rrf_k: int = 60,
        expansion: int = 3,
        weights: Mapping[Lane, float] | None = None,
    ) -> None:
        self.icd = icd
        self.rrf_k = rrf_k
        self.expansion = expansion
        self.weights = weights or {}
        self._pool: dict[str, PooledCandidate] = {}
        self._best_score: dict[str, float] = {}
        self.set_aside: dict[str, str] = {}
        """Codes a search reached whose intent or encounter the clause does not state."""

    def add_hits(
        self,
        lane: Lane,
        query: str,
        hits: Sequence[SearchHit],
        context: str,
        only: tuple[str, ...] = (),
        most: int | None = None,
    ) -> None:
        """Add one search's hits, in rank order (cross-referenced codes follow their hit's).

        ``only``: the code prefixes the search may add (empty: any); ``most``: how many of
        the index's codes it adds at most (None: all).
        """
        items: list[tuple[str, str]] = []
        for hit in hits:
            items += [(c.code, hit.display) for c in hit.codes]
            items += [
                (c.code, f"{hit.display} [see {x.target_path}]")
                for x in hit.xrefs
                if x.kind == "see"
                for c in x.codes
            ]
        if only:
            items = [(code, line) for code, line in items if code.startswith(only)]
        if most is not None:
            first: dict[str, str] = {}
            for code, line in items:
                first.setdefault(code, line)
            items = list(first.items())[:most]
        self.add_codes(lane, query, items, context)

    def add_entries(
        self, lane: Lane, query: str, entries: Iterable[IndexEntry], context: str
    ) -> None:
        """Add index entries found without search (the index walk), best first.

        A ``see`` reference is followed to its target's codes; so is a ``see also`` of an
        entry with no code of its own ("Bleeding - see also Hemorrhage": R58).
        """
        items: list[tuple[str, str]] = []
        for entry in entries:
            items += [(c.code, entry.display) for c in entry.codes]
            items += [
                (c.code, f"{entry.display} [{t.kind} {t.text}]")
                for t in self.icd.resolve_xref(entry.id)
                if t.entry_id is not None and (t.kind == "see" or not entry.codes)
                for c in self.icd.index_entry(t.entry_id).codes
            ]
        self.add_codes(lane, query, items, context)

    def add_codes(
        self, lane: Lane, query: str, items: Sequence[tuple[str, str]], context: str
    ) -> None:
        """Add a ranked list of (index code, line); codes are completed to billable ones."""
        context_words = plain_words(f"{query} {context}")
        ranked: list[RankedCode] = []
        seen: set[str] = set()
        for index_code, line in items:
            completed, _total = complete_code(self.icd, index_code, context_words, self.expansion)
            for info in completed:
                reason = unsupported_axis(
                    info.code,
                    context_words,
                    seventh=ends_in_seventh(self.icd, info.code),
                    description=info.description,
                )
                if reason is not None:
                    self.set_aside.setdefault(info.code, reason)
                    continue
                if info.code not in seen:
                    seen.add(info.code)
                    ranked.append(RankedCode(info.code, line, index_code))
        weight = self.weights.get(lane, 1.0)
        for rank, item in enumerate(ranked, start=1):
            self._credit(lane, query, item, rank, weight / (self.rrf_k + rank))

    def _credit(self, lane: Lane, query: str, item: RankedCode, rank: int, score: float) -> None:
        candidate = self._pool.get(item.code)
        if candidate is None:
            info = self.icd.lookup(item.code)
            candidate = PooledCandidate(info.code, info.description, info.chapter)
            self._pool[item.code] = candidate
        candidate.lane_scores[lane] = candidate.lane_scores.get(lane, 0.0) + score
        candidate.lanes[lane] = min(rank, candidate.lanes.get(lane, rank))
        candidate.lists[lane] = candidate.lists.get(lane, 0) + 1
        if query not in candidate.queries and len(candidate.queries) < _QUERIES_KEPT:
            candidate.queries.append(query)
        candidate.query_scores[query] = max(score, candidate.query_scores.get(query, 0.0))
        if score > self._best_score.get(item.code, 0.0):
            self._best_score[item.code] = score
            candidate.index_path = item.line
            candidate.index_code = item.index_code

    def ranked(
        self, cap: int | None = None, lanes: Iterable[Lane] | None = None
    ) -> list[PooledCandidate]:
        """Return the pool, best score first (ties by code), ``cap`` of them.

        With ``lanes``, only what those lanes found, ranked by their share of the score (what
        the pool would be with the other lanes switched off).
        """
        chosen = set(lanes) if lanes is not None else None
        pool = [
            (c.score if chosen is None else c.score_in(chosen), c)
            for c in self._pool.values()
            if chosen is None or chosen & c.lanes.keys()
        ]
        ordered = [c for _s, c in sorted(pool, key=lambda sc: (-sc[0], sc[1].code))]
        return ordered if cap is None else ordered[:cap]

    def __len__(self) -> int:
        return len(self._pool)


def with_siblings(
    icd: IcdResources, candidates: Sequence[PooledCandidate], max_codes: int
) -> list[PooledCandidate]:
    """Return the candidates, then the other billable codes of each small category they reach.

    A coder who finds H11.43- in the index reads the category's codes in the Tabular List for
    the one the note supports (right eye, not unspecified); the lanes keep at most a few of a
    category's codes. A category of at most ``max_codes`` billable codes is added whole, in
    the order its first pooled code reached; an added code (lane ``sibling``) carries the best
    fused score, first rank and number of its pooled relatives. Candidates found by the sibling
    lane alone are not relatives, so expanding twice adds nothing.
    """
    relatives: dict[str, tuple[PooledCandidate, int, float, int]] = {}
    for rank, candidate in enumerate(candidates, start=1):
        if candidate.lanes.keys() == {Lane.SIBLING}:
            continue
        first, first_rank, best, count = relatives.get(
            candidate.code[:3], (candidate, rank, 0.0, 0)
        )
        relatives[candidate.code[:3]] = (first, first_rank, max(best, candidate.score), count + 1)
    pooled = {c.code for c in candidates}
    added: list[PooledCandidate] = []
    for category, (first, rank, best, count) in relatives.items():
        leaves = icd.billable_descendants(category) if icd.exists(category) else []
        if len(leaves) > max_codes:
            continue
        for info in leaves:
            if info.code in pooled:
                continue
            pooled.add(info.code)
            added.append(
                PooledCandidate(
                    info.code,
                    info.description,
                    info.chapter,
                    lane_scores={Lane.SIBLING: best},
                    lanes={Lane.SIBLING: rank},
                    lists={Lane.SIBLING: count},
                    index_path=f"{category} in the Tabular List, beside {first.code}: "
                    f"{first.index_path}",
                    index_code=category,
                )
            )
    return [*candidates, *added]
