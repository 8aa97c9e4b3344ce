"""Scored verification: one yes/no question per candidate, its score P(yes) from the logprobs.

Small models fail as generators and do well as verifiers: asked "does this note document
<code> for this patient?", their P(yes) separates right codes from plausible wrong ones. The
note comes first in the prompt and the candidate last, so the server's prefix cache serves the
note to every question and each candidate costs only its own tokens.
"""

from __future__ import annotations

import asyncio
from typing import Any

from clh_llm import AnswerFailure
from clh_llm.answers import NO_LOGPROBS
from graph.nodes.choice import Decision, ask_choice, below_pool_floor, decide
from graph.nodes.kit import AgentRun
from graph.schemas import Candidate, Failure, Finding, Verdict
from graph.state import ChapterTask
from icd_resources import IndexEntry
from prompts import render_prompt
from tools.abbreviations import expand
from tools.abnormal_findings import findings_only
from tools.code_checks import Action, excludes
from tools.code_cues import NoteCues, described_sides, note_contradicts, note_states
from tools.conditions import Condition, Rival, group_conditions
from tools.index_modifiers import (
    index_line_path,
    note_words,
    stated_subterm_below,
    subterms,
    unstated_subterm,
)
from tools.lanes import Lane
from tools.note_sections import stated_sections
from tools.rival_specifics import evidence_sentences, other_sides, unstated_rivals


async def score_candidates(
    run: AgentRun, task: ChapterTask, shown: list[Candidate], lines: list[dict[str, str]]
) -> list[Verdict] | None:
    """Score each candidate, group the rivals of one condition, and decide each condition.

    Rivals the note contradicts are set aside first (``RunPlan.cue_filter``); every other
    candidate gets its P(yes); each condition with rivals is then decided as
    ``RunPlan.choice`` says (graph/nodes/choice.py).

    Returns:
        The verdicts, or None when the server returns no logprobs: that is recorded as a
        failure recovered by the caller's fallback (thinking decoding).
    """
    contradicted = _contradicted(run, task, shown)
    asked = [(c, line) for c, line in zip(shown, lines, strict=True) if c.code not in contradicted]
    scores = await _scores(run, task, asked)
    if scores is None:
        return None
    conditions = _conditions(run, [c for c, _line in asked if c.code in scores], task["findings"])
    conditions, lifted = _rivals_the_note_decides(
        run, task, conditions, shown, contradicted, scores
    )
    conditions, observed = _observed_last(run, task, conditions, shown)
    choices = await _choices(run, task, conditions, shown)
    threshold, source = run.plan.threshold, run.plan.threshold_source
    stated = _stated(run, task, scores)
    decisions = decide(conditions, scores | lifted, choices, threshold, run.plan.choice, stated)
    decisions = _observed_rivals(decisions, conditions, observed)
    pool_scores = {c.code: c.pool_score for c in shown if c.pool_score is not None}
    exempt = {*stated, *_stated_as_diagnoses(task, shown)}
    decisions = below_pool_floor(decisions, pool_scores, run.plan.pool_floor, exempt)
    key_of = {code: condition.key for condition in conditions for code in condition.codes}
    verdicts = []
    for candidate, line in zip(shown, lines, strict=True):
        code = candidate.code
        if code in contradicted:
            selected, why = False, f"set aside: {contradicted[code]}"
        elif code in decisions:
            lift = " (its condition's, from a rival set aside for it)" if code in lifted else ""
            selected, why = decisions[code].selected, f"{decisions[code].why}{lift}, {source}"
        else:
            continue  # its call failed: recorded by run.record
        verdicts.append(
            Verdict(
                code=code,
                chapter=task["chapter"],
                finding_id=candidate.finding_id,
                selected=selected,
                rationale=why,
                notes_checked=[line["details"]] if line["details"] else [],
                score=round(scores[code], 4) if code in scores else None,
                condition=key_of.get(code, code),
                choice=_rounded(choices.get(key_of.get(code, ""), {}).get(code)),
            )
        )
    return verdicts


async def _scores(
    run: AgentRun, task: ChapterTask, asked: list[tuple[Candidate, dict[str, str]]]
) -> dict[str, float] | None:
    """Ask the yes/no question of each candidate; return its P(yes) by code.

    A call that fails is recorded (``run.record``) and its code left out. Returns None, with
    the failure recorded as recovered, when the server returns no logprobs.
    """

    async def ask(line: dict[str, str]) -> Any:
        messages = render_prompt(
            run.agent,
            run.plan.scored_prompt,
            note=task["note"],
            setting=run.context.setting,
            scratchpad=task["scratchpad"],
            **line,
        )
        return await run.deps.llm.score_yes(run.agent, messages, note_id=run.note_id)

    outcomes = await asyncio.gather(*(ask(line) for _c, line in asked))
    if any(isinstance(o, AnswerFailure) and o.reason == NO_LOGPROBS for o in outcomes):
        run.calls += [c.to_dict() for o in outcomes for c in o.calls]
        run.failures.append(
            Failure(
                agent=run.agent,
                scope=f"chapter {task['chapter']}",
                reason=NO_LOGPROBS,
                recovered=True,
            )
        )
        return None
    return {
        c.code: o.value
        for (c, _line), o in zip(asked, outcomes, strict=True)
        if run.record(o, f"{c.code} (scored)")
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _contradicted(run: AgentRun, task: ChapterTask, shown: list[Candidate]) -> dict[str, str]:
    """Return the candidates whose specifics or index subterms the note contradicts, and why."""
    note = task["note"]
    found = _index_subterms(run, task, shown) if run.plan.subterms != "any" else {}
    if not run.plan.cue_filter:
        return found
    icd = run.deps.icd
    cues = NoteCues.read(note)
    for candidate in shown:
        code = candidate.code
        seventh = (
            len(code) == 8 and icd.exists(code[:-1]) and icd.needs_seventh_character(code[:-1])
        )
        reason = note_contradicts(code, candidate.description, cues, seventh=seventh)
        if reason is not None and code not in found:
            found[code] = reason
            run.reject(code, f"the note contradicts it: {reason}")
    return found


def _stated(run: AgentRun, task: ChapterTask, scores: dict[str, float]) -> dict[str, str]:
    """Return the scored codes the note states by their specifics (a cue filter's work)."""
    if not run.plan.cue_filter:
        return {}
    cues = NoteCues.read(task["note"])
    found = {code: note_states(code, cues) for code in scores}
    return {code: what for code, what in found.items() if what is not None}


def _stated_as_diagnoses(task: ChapterTask, shown: list[Candidate]) -> set[str]:
    """Return the candidates whose evidence lies where the provider states the diagnoses.

    Under "Assessment", "Discharge diagnoses", "Impression" the provider names what a coder
    codes (OCG III, IV); the pool ranker's priors, counted on other notes, do not overrule it.
    """
    sections = stated_sections(task["note"])
    spans = _finding_spans(task["findings"])
    return {
        c.code
        for c in shown
        if any(a <= start < b for start, _end in spans.get(c.finding_id, ()) for a, b in sections)
    }


def _index_subterms(run: AgentRun, task: ChapterTask, shown: list[Candidate]) -> dict[str, str]:
    """Return the candidates whose index line is deeper (or shallower) than the note states.

    Deeper: the line goes down to a subterm the note never states. Shallower, with
    ``subterms=exact``: the note states a subterm below the line beside the evidence, and that
    subterm's code is another candidate or another entry (OCG I.A.7). A companion's line
    comes from its own look-up (a family member's "cancer" reaches "History, family, of,
    malignant neoplasm"), so only the searched lanes' lines are read.
    """
    icd, note = run.deps.icd, task["note"]
    stems = note_words(note)
    spans = _finding_spans(task["findings"])
    others = {c.code for c in shown}
    found = {}
    for candidate in shown:
        if Lane.COMPANION in candidate.lanes:
            continue
        subterm = unstated_subterm(icd, candidate.index_path, stems)
        if subterm is not None:
            found[candidate.code] = f"the note never states the index subterm {subterm!r}"
        elif run.plan.subterms == "exact":
            around = note_words(evidence_sentences(note, spans.get(candidate.finding_id, ())))
            below = stated_subterm_below(icd, candidate.index_path, around)
            if below is not None and _leads_elsewhere(below, candidate.code, others):
                found[candidate.code] = f"the note states the index subterm {below.title!r} below"
        if candidate.code in found:
            run.reject(candidate.code, f"{found[candidate.code]} (OCG I.A.7)")
    return found


def _leads_elsewhere(entry: IndexEntry, code: str, candidates: set[str]) -> bool:
    """Say whether a subterm sends the coder to another entry or to another candidate."""
    if entry.see:
        return True
    targets = [c.code.rstrip("-") for c in entry.codes if c.role == "code"]
    return any(
        other != code and other.startswith(target) for target in targets for other in candidates
    )


def _finding_spans(findings: list[Finding]) -> dict[str, tuple[tuple[int, int], ...]]:
    """Return where each finding's evidence lies in the note: (start, end) offsets by id."""
    return {f.id: tuple((s.start, s.end) for s in f.spans if s.start >= 0) for f in findings}


def _conditions(
    run: AgentRun, candidates: list[Candidate], findings: list[Finding]
) -> list[Condition]:
    """Group the scored candidates into conditions (each alone when the plan's choice is each)."""
    if run.plan.choice == "each":
        return [Condition((c.code,)) for c in candidates]
    icd = run.deps.icd
    spans = _finding_spans(findings)
    terms = {f.id: expand(f.term).lower() for f in findings if f.lane == Lane.MENTION}
    return group_conditions(
        [
            Rival(
                c.code,
                c.finding_id,
                spans.get(c.finding_id, ()),
                terms.get(c.finding_id, ""),
                "/".join(sorted(described_sides(c.description))),
            )
            for c in candidates
        ],
        lambda a, b: excludes(icd, a, b) is not None,
    )


def _observed_last(
    run: AgentRun, task: ChapterTask, conditions: list[Condition], shown: list[Candidate]
) -> tuple[list[Condition], frozenset[str]]:
    """Put last in each condition the rivals whose only evidence is an observation or result.

    The reconciler removes such a code (OCG III.B: the exam, vitals, labs, imaging are coded
    when the provider states them); chosen over a rival the provider states, it would take
    that rival with it ("pain 2/10" in the vitals, R52, over "Dx: Headache", R51.9).

    Returns:
        The conditions so ordered, and the codes put last.
    """
    if run.plan.findings != "remove":
        return conditions, frozenset()
    spans = _finding_spans(task["findings"])
    starts = {c.code: [a for a, _b in spans.get(c.finding_id, ())] for c in shown}
    descriptions = {c.code: c.description for c in shown}
    rivalled = [code for c in conditions if len(c.codes) > 1 for code in c.codes]
    observed = frozenset(findings_only(rivalled, starts, task["note"], descriptions))
    ordered = []
    for condition in conditions:
        stated = [c for c in condition.codes if c not in observed]
        seen = [c for c in condition.codes if c in observed]
        ordered.append(Condition(tuple(stated + seen)) if stated and seen else condition)
    return ordered, observed


def _observed_rivals(
    decisions: dict[str, Decision], conditions: list[Condition], observed: frozenset[str]
) -> dict[str, Decision]:
    """Say why an observed rival was not chosen: the provider states the one chosen."""
    decided = dict(decisions)
    for condition in conditions:
        chosen = [c for c in condition.codes if c in decisions and decisions[c].selected]
        for code in condition.codes:
            if code in observed and code in decisions and chosen and code not in chosen:
                decided[code] = Decision(
                    False,
                    f"a rival of {chosen[0]}, which the provider states: its own evidence is "
                    "an observation or result only (OCG III.B)",
                )
    return decided


def _rivals_the_note_decides(
    run: AgentRun,
    task: ChapterTask,
    conditions: list[Condition],
    shown: list[Candidate],
    contradicted: dict[str, str],
    scores: dict[str, float],
) -> tuple[list[Condition], dict[str, float]]:
    """Take out of each condition the rivals the note's words set aside (tools/rival_specifics).

    "Acute gangrenous appendicitis with localized peritonitis" written in the note leaves
    K35.30 (without gangrene) and K35.80 no reason to stand beside K35.31 (OCG I.B.9, I.A.7);
    they are set aside, with the reason in ``contradicted``.

    Returns:
        The conditions without those rivals, and the score each kept code is decided by where
        a rival set aside for it scored higher: the model judged whether the condition is
        documented, the note's words which code it takes ("OSA": G47.30 at 0.74 makes
        G47.33 at 0.59 the condition's code).
    """
    if not run.plan.cue_filter:
        return conditions, {}
    described = {c.code: c.description for c in shown}
    spans = _finding_spans(task["findings"])
    found_by = {c.code: c.finding_id for c in shown}
    kept: list[Condition] = []
    lifted: dict[str, float] = {}
    for condition in conditions:
        if len(condition.codes) < 2:
            kept.append(condition)
            continue
        where = [span for c in condition.codes for span in spans.get(found_by[c], ())]
        sentences = evidence_sentences(task["note"], where)
        descriptions = {c: described[c] for c in condition.codes}
        aside = other_sides(descriptions, sentences)
        kept_codes = {c: d for c, d in descriptions.items() if c not in aside}
        aside |= unstated_rivals(
            kept_codes,
            note_words(sentences),
            _named(run, shown, condition),
            combinations=run.plan.named_symptom == Action.REMOVE,
        )
        for code, reason in aside.items():
            contradicted[code] = reason
            run.reject(code, f"a rival the note's words set aside: {reason}")
        kept.append(Condition(tuple(c for c in condition.codes if c not in aside)))
        lifted.update(_lifted(kept[-1], aside, scores))
    return kept, lifted


def _lifted(
    condition: Condition, aside: dict[str, str], scores: dict[str, float]
) -> dict[str, float]:
    """Return each kept code's score lifted to the best of the rivals of its category set aside."""
    lifted = {}
    for code in condition.codes:
        rivals = [scores[a] for a in aside if a[:3] == code[:3] and a in scores]
        if code in scores and rivals and max(rivals) > scores[code]:
            lifted[code] = max(rivals)
    return lifted


def _named(run: AgentRun, shown: list[Candidate], condition: Condition) -> frozenset[str]:
    """Return the codes of a condition an index subterm reached (their kind is named)."""
    lines = {c.code: c.index_path for c in shown if c.code in condition.codes}
    return frozenset(
        code for code, line in lines.items() if subterms(run.deps.icd, index_line_path(line))
    )


async def _choices(
    run: AgentRun, task: ChapterTask, conditions: list[Condition], shown: list[Candidate]
) -> dict[str, dict[str, float]]:
    """Ask the listwise question of every condition with rivals (the plan's choice listwise)."""
    if run.plan.choice != "listwise":
        return {}
    descriptions = {c.code: c.description for c in shown}
    rivalled = [c for c in conditions if len(c.codes) > 1]
    answers = await asyncio.gather(
        *(ask_choice(run, task, condition, descriptions) for condition in rivalled)
    )
    return {c.key: a for c, a in zip(rivalled, answers, strict=True) if a is not None}
