"""Note-level candidate recall of the pooled lanes: is each gold code in the note's pool?

The share of gold (note, code) pairs whose code is among a note's pooled candidates, before
any model selection, per lane alone and pooled, at several caps per note, per chapter; with
the pool's size and the retrieval time per note. Used by ``python -m evals.bench_search``.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from evals.doc_types import Doc
from evals.gold import scorable
from evals.gold_evidence import LookupWords
from evals.reach import Reach, reach
from icd_resources import IcdResources
from tools.candidate_pool import CandidatePool, PooledCandidate
from tools.index_search import Searcher
from tools.index_walk import IndexWalker
from tools.lanes import FUSED_LANES, RANKED_LANES, Lane
from tools.note_lanes import LANE_WEIGHTS, pool_note
from tools.note_mentions import MentionFinder
from tools.pool_ranker import PoolRanker
from tools.words import content_words

CAPS = (20, 40, 60, 100)
FUSED_DEFAULT = "mention+walk (thinking, pool_ranker=fused)"
CONFIGS: dict[str, tuple[Lane, ...]] = {
    "mention": (Lane.MENTION,),
    "walk (scored, pool_ranker=fused)": (Lane.WALK,),
    "sentence": (Lane.SENTENCE,),
    FUSED_DEFAULT: FUSED_LANES,
    "all lanes": RANKED_LANES,
    "mention+walk + set-aside walk (diagnostic)": (*FUSED_LANES, Lane.SET_ASIDE),
}
"""The last is no lane of the coder: it shows how many gold codes the guidelines' reading of
negated, family or hypothetical mentions leaves out (CodiEsp codes some negated findings)."""
RANKED = "all lanes, ordered by the pool ranker (default)"
"""The pool a run caps by default: every ranked lane, in the fitted ranker's order."""


@dataclass(slots=True)
class PoolStats:
    """What the pools of a set of notes reached."""

    notes: int = 0
    pairs: int = 0
    scorable_pairs: int = 0
    found: dict[str, dict[int, int]] = field(default_factory=dict)
    """Config -> cap -> gold pairs found."""
    found_scorable: dict[str, dict[int, int]] = field(default_factory=dict)
    per_chapter: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """Chapter -> [gold pairs, found in the default pool at cap 60]."""
    default: str = FUSED_DEFAULT
    """The config the chapter column counts: the ranked pool when a ranker is measured."""
    sizes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unstated: list[int] = field(default_factory=lambda: [0, 0])
    """[gold pairs whose note states no word leading to the code, found at 60 by default]."""
    set_aside: int = 0
    mentions: int = 0
    k: int = 10
    """Hits per lane query."""


def gold_rank(pool: Sequence[PooledCandidate], gold: str) -> int | None:
    """Return the 1-based rank of the first candidate that is the gold code, or None."""
    for rank, candidate in enumerate(pool, start=1):
        if reach(candidate.code, gold) is Reach.DIRECT:
            return rank
    return None


def measure(
    icd: IcdResources,
    searcher: Searcher,
    docs: Sequence[Doc],
    chapter_of: Callable[[str], str],
    *,
    k: int | None = None,
    ranker: PoolRanker | None = None,
    on_note: Callable[[int, int], None] | None = None,
) -> PoolStats:
    """Pool every note with each lane and count the gold codes the pools hold.

    With a ``ranker``, one more row: the ranked lanes' pool in the ranker's order. Every row
    reads the same pools, searched with ``k`` hits per query (None: the ranker's ``top_k``
    as a run does, else 10), so the rows differ only in lanes and order.
    """
    finder = MentionFinder.for_release(icd)
    walker = IndexWalker(icd)
    lookup = LookupWords(icd)
    k = k or (ranker.top_k if ranker else 10)
    stats = PoolStats(default=RANKED if ranker else FUSED_DEFAULT, k=k)
    for config in (*CONFIGS, RANKED) if ranker else CONFIGS:
        stats.found[config] = dict.fromkeys(CAPS, 0)
        stats.found_scorable[config] = dict.fromkeys(CAPS, 0)
    for number, doc in enumerate(docs, start=1):
        pool = CandidatePool(icd, weights=LANE_WEIGHTS)
        started = time.perf_counter()
        run = pool_note(doc.text, pool, searcher, finder, walker, lanes=FUSED_LANES, k=k)
        stats.seconds["mention+walk"].append(time.perf_counter() - started)
        started = time.perf_counter()
        pool_note(doc.text, pool, searcher, finder, walker, lanes=(Lane.SENTENCE,), k=k)
        stats.seconds["sentence"].append(time.perf_counter() - started)
        pool_note(doc.text, pool, searcher, finder, walker, lanes=(Lane.SET_ASIDE,), k=k)
        stats.notes += 1
        stats.mentions += len(run.mentions)
        stats.set_aside += len(run.set_aside)
        ranked = {config: pool.ranked(lanes=lanes) for config, lanes in CONFIGS.items()}
        if ranker is not None:
            started = time.perf_counter()
            ranked[RANKED] = ranker.rank(icd, pool.ranked(lanes=RANKED_LANES), doc.text)
            stats.seconds["pool ranker"].append(time.perf_counter() - started)
        _count(icd, stats, doc, ranked, chapter_of)
        _count_unstated(stats, doc, ranked[stats.default], lookup)
        if on_note:
            on_note(number, len(docs))
    return stats


def _count(
    icd: IcdResources,
    stats: PoolStats,
    doc: Doc,
    ranked: dict[str, list[PooledCandidate]],
    chapter_of: Callable[[str], str],
) -> None:
    for config, candidates in ranked.items():
        stats.sizes[config].append(len(candidates))
    for gold in doc.gold:
        stats.pairs += 1
        ok = scorable(icd, gold)
        stats.scorable_pairs += ok
        for config, candidates in ranked.items():
            rank = gold_rank(candidates, gold)
            for cap in CAPS:
                if rank is not None and rank <= cap:
                    stats.found[config][cap] += 1
                    stats.found_scorable[config][cap] += ok
        chapter = stats.per_chapter[chapter_of(gold)]
        chapter[0] += 1
        default_rank = gold_rank(ranked[stats.default], gold)
        chapter[1] += default_rank is not None and default_rank <= 60


def _count_unstated(
    stats: PoolStats, doc: Doc, default: Sequence[PooledCandidate], lookup: LookupWords
) -> None:
    note_words = content_words(doc.text)
    for gold in doc.gold:
        if not lookup.stated(gold, note_words):
            rank = gold_rank(default, gold)
            stats.unstated[0] += 1
            stats.unstated[1] += rank is not None and rank <= 60


def print_stats(title: str, stats: PoolStats) -> None:
    """Print the recall tables of one set of notes as markdown."""
    print(f"\n### {title}\n")
    print(
        f"{stats.notes} notes, {stats.k} hits per lane query, {stats.pairs} gold (note, code) "
        f"pairs ({stats.scorable_pairs} "
        f"scorable: billable, or billable but for CodiEsp's omitted 7th character); "
        f"{stats.mentions} mentions read, {stats.set_aside} set aside (negated, family, "
        "hypothetical, uncertain)\n"
    )
    caps = " | ".join(f"@{c}" for c in CAPS)
    print(f"| lanes | candidates/note (median, all) | {caps} | scorable {caps} |")
    print("|---|---:|" + "---:|" * (2 * len(CAPS)))
    for config in stats.found:
        every = " | ".join(f"{stats.found[config][c] / max(stats.pairs, 1):.3f}" for c in CAPS)
        only = " | ".join(
            f"{stats.found_scorable[config][c] / max(stats.scorable_pairs, 1):.3f}" for c in CAPS
        )
        size = statistics.median(stats.sizes[config]) if stats.sizes[config] else 0
        print(f"| {config} | {size:.0f} | {every} | {only} |")
    unstated, reached = stats.unstated
    found = stats.found[stats.default][60]
    print(
        f"\nNo word of the note leads to the code (description or index main term, "
        f"evals/gold_evidence.py): {unstated} pairs ({unstated / max(stats.pairs, 1):.3f}); "
        f"{stats.default} @60 reaches {reached} of them, and "
        f"{(found - reached) / max(stats.pairs - unstated, 1):.3f} of the others."
    )
    print("\nRetrieval seconds per note (mean / median):")
    for lanes, seconds in stats.seconds.items():
        print(f"- {lanes}: {statistics.mean(seconds):.2f} / {statistics.median(seconds):.2f}")
    print(f"\n| chapter | gold pairs | {stats.default} @60 |\n|---|---:|---:|")
    for chapter in sorted(stats.per_chapter, key=_chapter_key):
        pairs, found = stats.per_chapter[chapter]
        print(f"| {chapter} | {pairs} | {found / max(pairs, 1):.3f} |")


def _chapter_key(label: str) -> int:
    head = label.split(" ", 1)[0]
    return int(head) if head.isdigit() else 99
