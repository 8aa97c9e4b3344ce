"""The deterministic lanes of a note's candidate pool: what rules alone can look up.

- ``mention``: each codeable mention's clause searched in the index and the tabular
  descriptions (a historical mention also as "personal history of ...", OCG I.C.21.c.4);
- ``walk``: each mention's main term walked down the sub-terms its sentence supports; an
  entry that says "see Neoplasm, malignant, by site" is followed to the Neoplasm Table, searched
  with the clause and the behaviour it names (OCG I.C.2: neoplasms are coded by site);
- ``sentence``: each sentence searched whole (the widest net, the least precise);
- ``set-aside``: a diagnostic for benchmarks only, never coded: the walk of the mentions set
  aside (negated, family...), to measure how much of a gold standard codes what the guidelines
  do not (CodiEsp's annotators coded some negated findings: "No hematuria." has R31.9).

Mentions that are negated, about family, hypothetical or (outside inpatient care) uncertain
yield no candidate; they come back as rejected, with the reason, for the reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from icd_resources import IcdResources, IndexEntry, IndexSource
from tools.candidate_pool import CandidatePool
from tools.companions import (
    bmi_codes,
    companion_searches,
    companion_walks,
    documented,
    external_cause_status,
    gestation_codes,
    noncompliance,
)
from tools.history_codes import FAMILY_HISTORY, HistoryCodes, history_codes, names_a_disease
from tools.index_search import EmptyQueryError, Searcher
from tools.index_walk import IndexWalker
from tools.lanes import FUSED_LANES, Lane
from tools.note_mentions import REASONS, Assertion, Mention, MentionFinder

LANE_WEIGHTS = {Lane.MENTION: 1.0, Lane.WALK: 4.0, Lane.SENTENCE: 1.0}
"""Each lane's weight in the pool's fusion, chosen on CodiEsp train only (recall at 60
candidates per note; the figures are in docs/evaluation.md): a main term walked down to a
sub-term the sentence names is the surest lane."""


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
    searcher: Searcher,
    finder: MentionFinder,
    walker: IndexWalker,
    *,
    lanes: Sequence[Lane] = FUSED_LANES,
    setting: str = "outpatient",
    k: int = 10,
) -> LaneRun:
    """Run the chosen lanes over a note and add what they find to ``pool``."""
    reading = finder.read(note)
    run = LaneRun(pool, reading.mentions)
    searches: list[Search] = []
    for mention in reading.mentions:
        if not mention.codeable(setting):
            run.set_aside.append((mention, REASONS[mention.assertion]))
            if Lane.SET_ASIDE in lanes:
                _walk(walker, pool, Lane.SET_ASIDE, mention, setting)
            continue
        if Lane.MENTION in lanes:
            searches.append(Search(Lane.MENTION, mention.query, mention.sentence))
            if mention.assertion is Assertion.HISTORICAL:
                searches.append(Search(Lane.MENTION, f"personal history of {mention.text}", ""))
        if Lane.WALK in lanes:
            for found in _walk(walker, pool, Lane.WALK, mention, setting):
                searches += _neoplasm_table(found, mention)
    if Lane.SENTENCE in lanes:
        searches += [Search(Lane.SENTENCE, s, "") for s in reading.sentences]
    run.queries = _search_all(searcher, pool, searches, k)
    return run


_FAMILY_WHY = "Family history: the patient's risk (OCG I.C.21.c.4)"


def family_query(mention: Mention) -> str:
    """Return the look-up of a family member's condition: the patient's family history code."""
    return f"family history of {mention.query}"


def _walk(
    walker: IndexWalker, pool: CandidatePool, lane: Lane, mention: Mention, setting: str
) -> list[list[IndexEntry]]:
    """Walk each of a mention's main terms and pool what is reached; return it per main term.

    The walk reads the words the note asserts beside the mention (``Mention.walk_sentence``);
    a modifier's first sub-term, the words it names (``Mention.named_with``).
    """
    reached = []
    for main_term in mention.main_terms:
        sentence = mention.walk_sentence(setting)
        found = [r.entry for r in walker.walk(main_term, sentence, mention.named_with)]
        pool.add_entries(lane, mention.text, found, mention.sentence)
        reached.append(found)
    return reached


@dataclass(frozen=True, slots=True)
class Search:
    """One query of a lane, with the words that complete its codes, in some sources."""

    lane: Lane
    query: str
    context: str
    sources: tuple[IndexSource, ...] | None = None


_BEHAVIOURS = (  # (words in the clause or the reference, Neoplasm Table column)
    (("metasta", "secondary"), "malignant secondary"),
    (("in situ",), "ca in situ"),
    (("benign",), "benign"),
    (("uncertain",), "uncertain behavior"),
    (("malignant", "carcinoma", "cancer"), "malignant primary"),
)


def _neoplasm_table(found: Sequence[IndexEntry], mention: Mention) -> list[Search]:
    """Follow "see Neoplasm, <behaviour>, by site" to the Neoplasm Table, site from the clause."""
    references = [e.see or e.see_also for e in found if (e.see or e.see_also).startswith("Neo")]
    if not references:
        return []
    words = f"{mention.query} {references[0]}".lower()
    column = next((c for keys, c in _BEHAVIOURS if any(k in words for k in keys)), "")
    query = f"{mention.query} {column}".strip()
    return [Search(Lane.WALK, query, mention.sentence, (IndexSource.NEOPLASM,))]


def _search_all(searcher: Searcher, pool: CandidatePool, searches: list[Search], k: int) -> int:
    """Search every distinct query once (embedded together) and pool the hits."""
    distinct = list(dict.fromkeys(s.query for s in searches))
    vectors = searcher.encode_queries(distinct) if distinct else []
    vector_of = dict(zip(distinct, vectors, strict=False))
    done: set[tuple[str, str, Any]] = set()
    for search in searches:
        key = (search.lane, search.query, search.sources)
        if key in done:
            continue
        done.add(key)
        try:
            hits = searcher.search(
                search.query,
                k=k,
                sources=search.sources,
                dense_vector=vector_of.get(search.query),
            )
        except EmptyQueryError:
            continue
        ranked = [h for h in hits if h.via == "search"]
        pool.add_hits(search.lane, search.query, ranked, search.context)
    return len(done)


@dataclass(slots=True)
class CompanionRun:
    """The companions a note documents: their pool, and the sentence behind each query."""

    pool: CandidatePool
    sentence_of: dict[str, str] = field(default_factory=dict)
    why_of: dict[str, str] = field(default_factory=dict)
    spans_of: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """The note's spans behind a query whose sentence was read with its abbreviations spelled
    out ("Father had MI" reads "myocardial infarction"), so is not the note's text."""


def pool_companions(
    note: str,
    pool: CandidatePool,
    searcher: Searcher,
    walker: IndexWalker,
    weeks: frozenset[int],
    family: Sequence[Mention] = (),
    k: int = 5,
    past: Sequence[Mention] = (),
) -> CompanionRun:
    """Pool the codes a coder adds beside the conditions (tools/companions.py).

    ``family``: the mentions of a family member's condition, each looked up as the patient's
    family history (OCG I.C.21.c.4: it puts the patient at higher risk of the disease).
    ``past``: the mentions of the patient's past conditions; a past malignancy gets its
    personal history code.
    """
    run = CompanionRun(pool)
    _walk_external_causes(note, pool, walker, run)
    _pool_family(pool, searcher, walker, family, run, k)
    _pool_past_malignancy(pool, searcher, walker, past, run)
    for companion, sentence in documented(note):
        run.sentence_of.setdefault(sentence, sentence)
        run.why_of.setdefault(sentence, companion.why)
        pool.add_codes(Lane.COMPANION, sentence, [(companion.code, companion.why)], sentence)
    for code in gestation_codes(note, weeks):
        why = "Weeks of gestation: chapter 15's 'use additional code from category Z3A'"
        query = f"{code[4:]} weeks of gestation"
        run.sentence_of[query], run.why_of[query] = _sentence_with(note, code[4:]), why
        pool.add_codes(Lane.COMPANION, query, [(code, why)], query)
    for code in bmi_codes(note):
        why = "Body mass index: E66's 'use additional code ... (Z68.-)' (OCG I.C.21.c.3)"
        run.sentence_of[code], run.why_of[code] = _sentence_with(note, "BMI"), why
        pool.add_codes(Lane.COMPANION, code, [(code, why)], code)
    for search in companion_searches(note):
        cell = drug_cell(walker.icd, search.cell, search.sentence) if search.cell else None
        if cell is not None:  # the table names the drug: its cell, not a search's neighbours
            run.sentence_of.setdefault(search.query, search.sentence)
            run.why_of.setdefault(search.query, search.why)
            pool.add_codes(Lane.COMPANION, search.query, [cell], search.context)
            continue
        try:
            hits = searcher.search(search.query, k=k, sources=search.sources)
        except EmptyQueryError:
            continue
        run.sentence_of.setdefault(search.query, search.sentence)
        run.why_of.setdefault(search.query, search.why)
        ranked = [h for h in hits if h.via == "search"]
        pool.add_hits(Lane.COMPANION, search.query, ranked, search.context)
    return run


_WORD = re.compile(r"[A-Za-z]{5,}")


def drug_cell(icd: IcdResources, cell: tuple[str, str], sentence: str) -> tuple[str, str] | None:
    """Return the Table of Drugs' code of a sentence's drug in one column, with its path.

    The drug as the pattern caught it first ("ibuprofen-induced"), else the first word of the
    sentence the table names ("NSAID-induced ulcer - ibuprofen stopped": NSAID is no main
    term of the table, ibuprofen is; "clonidine poisoning with bradycardia"). None: the
    search decides.
    """
    drug, column = cell
    words = [drug, *(w for w in _WORD.findall(sentence) if w.lower() != drug.lower())]
    for word in dict.fromkeys(w.lower() for w in words):
        found = table_cell(icd, word, column)
        if found is not None:
            return found
    return None


def table_cell(icd: IcdResources, drug: str, column: str) -> tuple[str, str] | None:
    """Return the Table of Drugs' code for a drug and column, with its path, or None.

    "Ibuprofen, adverse effect" is T39.315; the drug must be a main term of the table.
    """
    for entry in icd.find_main_terms(drug):
        if entry.source != IndexSource.DRUG:
            continue
        for row in icd.find_index_path(f"{entry.path}, {column}", IndexSource.DRUG):
            if row.codes:
                return row.codes[0].code, f"{row.path} {row.codes[0].code}"
    return None


PAST_MALIGNANCY = ("Z85",)
_PAST_MALIGNANCY_WHY = "Personal history of a malignancy (OCG I.C.2.d)"


def _pool_past_malignancy(
    pool: CandidatePool,
    searcher: Searcher,
    walker: IndexWalker,
    past: Sequence[Mention],
    run: CompanionRun,
) -> None:
    """Pool the personal history code of a malignancy the note says is past (OCG I.C.2.d).

    "Hx prostate CA treated with radiation 2015, no current treatment": the cancer is looked
    up as if present (C61) and the Z85 code whose "classifiable to" note covers it is pooled
    (Z85.46). No other history code is read this way: the index names them ("History,
    personal, myocardial infarction" is I25.2, no Z86 code).
    """
    clauses: dict[str, list[Mention]] = {}
    for mention in past:
        clauses.setdefault(f"personal history of {mention.query}", []).append(mention)
    if not clauses:
        return
    history = history_codes(walker.icd, PAST_MALIGNANCY)
    for query, mentions in clauses.items():
        code = _history_code(mentions, searcher, walker, history)
        if code is None:
            continue
        run.sentence_of[query], run.why_of[query] = mentions[0].sentence, _PAST_MALIGNANCY_WHY
        run.spans_of[query] = [(m.start, m.end) for m in mentions]
        pool.add_codes(Lane.COMPANION, query, [(code, _PAST_MALIGNANCY_WHY)], mentions[0].sentence)


def _pool_family(
    pool: CandidatePool,
    searcher: Searcher,
    walker: IndexWalker,
    family: Sequence[Mention],
    run: CompanionRun,
    k: int,
) -> None:
    """Pool each family clause's history code: the Tabular's, else a search's best two.

    A clause that names no disease ("a 28-year-old mother and a 30-year-old father, healthy")
    yields none: its words lead to no code of chapters 1-17 (OCG I.C.21.c.4), nor to a family
    history code of their own ("consanguinity": Z84.3).
    """
    clauses: dict[str, list[Mention]] = {}
    for mention in family:  # "colon cancer" is two mentions of one clause
        clauses.setdefault(family_query(mention), []).append(mention)
    if not clauses:
        return
    history = history_codes(walker.icd, FAMILY_HISTORY)
    for query, mentions in clauses.items():
        sentence = mentions[0].sentence
        run.sentence_of[query], run.why_of[query] = sentence, _FAMILY_WHY
        run.spans_of[query] = [(m.start, m.end) for m in mentions]
        conditions: list[str] = []
        code = _history_code(mentions, searcher, walker, history, conditions)
        if code is not None:
            pool.add_codes(Lane.COMPANION, query, [(code, _FAMILY_WHY)], sentence)
            continue
        if not any(names_a_disease(c) or c[:3] in FAMILY_HISTORY for c in conditions):
            continue  # "parents healthy", "a family donor": no disease to be at risk of
        hits = [h for h in searcher.search(query, k=k) if h.via == "search"]
        pool.add_hits(Lane.COMPANION, query, hits, sentence, only=FAMILY_HISTORY, most=2)


def _history_code(
    mentions: Sequence[Mention],
    searcher: Searcher,
    walker: IndexWalker,
    history: HistoryCodes,
    looked_up: list[str] | None = None,
) -> str | None:
    """Return the history code of the condition a clause names (None: none found).

    The condition is looked up as the patient's would be: the deepest entry the walk of its
    clause reaches, else a neoplasm in the Neoplasm Table by its site, else the clause's best
    search hits, else the main term's own code. ``looked_up`` receives each condition code
    read (all of them when None is returned).
    """
    words = [m.text for m in mentions]
    for code in _condition_codes(mentions, searcher, walker):
        if looked_up is not None:
            looked_up.append(code)
        info = walker.icd.get(code)
        found = history.for_condition(code, [*words, info.description if info else ""])
        if found is not None:
            return found
    return None


def _condition_codes(
    mentions: Sequence[Mention], searcher: Searcher, walker: IndexWalker
) -> Iterator[str]:
    """Yield a clause's codes as the patient's, best first; a search runs only when reached."""
    walked = [r for m in mentions for t in m.main_terms for r in walker.walk(t, m.query)]
    yield from (c.code for r in walked if r.depth for c in r.entry.codes)
    searches = _neoplasm_table([r.entry for r in walked], mentions[0])
    searches.append(Search(Lane.MENTION, mentions[0].query, "", None))
    for search in searches:
        hits = searcher.search(search.query, k=3, sources=search.sources)
        yield from (c.code for h in hits if h.via == "search" for c in h.codes)
    yield from (c.code for r in walked if not r.depth for c in r.entry.codes)


def _walk_external_causes(
    note: str, pool: CandidatePool, walker: IndexWalker, run: CompanionRun
) -> None:
    """Pool the activity, place and status an injury's sentences name (OCG I.C.20)."""
    main_terms = {
        e.title: e.id for e in walker.icd.index_entries(IndexSource.EINDEX) if e.level == 0
    }
    activity = False
    for walk in companion_walks(note):
        reached = [
            r.entry for r in walker.walk(main_terms[walk.main_term], walk.sentence) if r.depth
        ]
        if not reached:
            continue
        query = f"{walk.main_term.lower()}: {walk.sentence}"
        run.sentence_of.setdefault(query, walk.sentence)
        run.why_of.setdefault(query, walk.why)
        pool.add_entries(Lane.COMPANION, query, reached, walk.sentence)
        activity = activity or walk.main_term == "Activity"
    found = noncompliance(note)
    if found is not None:
        code, sentence = found
        why = "Noncompliance beside an underdosing code (OCG I.C.19.e.5.c)"
        run.sentence_of.setdefault(why, sentence)
        run.why_of.setdefault(why, why)
        pool.add_codes(Lane.COMPANION, why, [(code, why)], why)
    status = external_cause_status(note, activity)
    if status is not None:
        run.sentence_of.setdefault(status.why, status.sentence)
        run.why_of.setdefault(status.why, status.why)
        pool.add_codes(Lane.COMPANION, status.why, [(status.code, status.why)], status.why)


def _sentence_with(note: str, word: str) -> str:
    for line in note.splitlines():
        if word in line:
            return line.strip()
    return word
