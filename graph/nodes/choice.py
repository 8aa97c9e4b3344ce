"""Decide like a coder: one code per documented condition, chosen among its rivals.

The yes/no verifier asks about each candidate alone, and a small model's P(yes) sits between
0.6 and 0.9 for nearly every plausible code, so a threshold cannot tell C50.412 from its seven
neighbours. Here the rivals of one condition (tools/conditions.py) are shown together as
lettered options with "none of these"; the model answers one letter and each option's
probability is read from the answer token's logprobs. The option with the most probability
is the condition's code, or none.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from graph.nodes.kit import AgentRun
from graph.state import ChapterTask
from prompts import render_prompt
from tools.conditions import Condition

CHOICE_PROMPT = "choice1"
LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_OPTIONS = 8
"""Rivals shown in one question, best-ranked first; the rest are not chosen (recorded)."""
NONE = ""
"""The key of "none of these" in a choice's probabilities."""

ChoiceMode = Literal["ranked", "listwise", "yesno", "each"]


@dataclass(frozen=True, slots=True)
class Decision:
    """What was decided of one candidate, and why, as the reviewer reads it."""

    selected: bool
    why: str


async def ask_choice(
    run: AgentRun, task: ChapterTask, condition: Condition, descriptions: Mapping[str, str]
) -> dict[str, float] | None:
    """Ask which of a condition's rivals the note documents.

    Returns:
        Each shown code's probability and that of none (key ``NONE``), summing to 1; None when
        the model gave no usable answer (recorded as a failure; the caller falls back).
    """
    codes = condition.codes[:MAX_OPTIONS]
    labels = LABELS[: len(codes) + 1]
    messages = render_prompt(
        run.agent,
        run.context.prompt_versions.get("choice", CHOICE_PROMPT),
        note=task["note"],
        setting=run.context.setting,
        scratchpad=task["scratchpad"],
        options=[
            {"label": label, "code": code, "description": descriptions[code]}
            for label, code in zip(labels, codes, strict=False)
        ],
        none_label=labels[-1],
    )
    outcome = await run.deps.llm.score_options(
        run.agent, messages, list(labels), note_id=run.note_id
    )
    if not run.record(outcome, f"condition {condition.key} (choice)"):
        return None
    probabilities = {
        code: outcome.value.get(label, 0.0) for label, code in zip(labels, codes, strict=False)
    }
    probabilities[NONE] = outcome.value.get(labels[-1], 0.0)
    return probabilities


def decide(
    conditions: Sequence[Condition],
    scores: Mapping[str, float],
    choices: Mapping[str, Mapping[str, float]],
    threshold: float,
    mode: ChoiceMode,
    stated: Mapping[str, str] | None = None,
) -> dict[str, Decision]:
    """Decide every scored candidate: at most one code per condition, unless mode is each.

    A code the note states by its specifics (``stated``, tools/code_cues.py:note_states) is
    its condition's code whatever the scores: the model judged the others, the note this one.

    Args:
        conditions: the groups of rivals; a code missing from ``scores`` was not scored.
        scores: P(yes) per code.
        choices: per condition key, the listwise probabilities (``NONE`` for none of these).
        threshold: the P(yes) a code needs where no listwise choice decides.
        mode: ranked, listwise, yesno or each (``Context.choice``).
        stated: the codes the note states, each with what it states.
    """
    stated = stated or {}
    decisions: dict[str, Decision] = {}
    for condition in conditions:
        scored = [c for c in condition.codes if c in scores]
        by_note = [c for c in scored if c in stated]
        if by_note:
            decisions.update(_by_note(scored, by_note[0], stated[by_note[0]]))
            continue
        choice = choices.get(condition.key) if mode == "listwise" else None
        if mode == "each" or len(scored) < 2:
            for code in scored:
                ok = scores[code] >= threshold
                decisions[code] = Decision(ok, f"P(yes) = {scores[code]:.2f}{_versus(threshold)}")
            continue
        if choice is not None:
            decisions.update(_by_choice(scored, choice))
        elif mode == "ranked":
            decisions.update(_by_rank(scored, scores, threshold))
        else:
            decisions.update(_by_best_score(scored, scores, threshold))
    return decisions


def below_pool_floor(
    decisions: Mapping[str, Decision],
    pool_scores: Mapping[str, float],
    floor: float,
    exempt: Collection[str] = (),
) -> dict[str, Decision]:
    """Set aside the selected codes the pool ranker finds unlikely to be coded (below ``floor``).

    The verifier judges whether a code is plausible for the note, and accepts nearly every
    plausible one; the pool ranker, fitted on coded notes, knows how often such a code, found
    so, is what the coder reported (a final code it ranks 11th-20th was right about one time
    in four on CodiEsp train). The ``exempt`` codes (what the note states outright), and the
    codes no ranker scored (a navigator's, a companion lane's), keep their decision.
    """
    decided = dict(decisions)
    for code, decision in decisions.items():
        p = pool_scores.get(code)
        if decision.selected and p is not None and p < floor and code not in exempt:
            decided[code] = Decision(
                False,
                f"{decision.why}; but the pool ranker gives it P(coded) = {p:.2f}, below "
                f"{floor:.2f}",
            )
    return decided


def _by_note(codes: Sequence[str], chosen: str, what: str) -> dict[str, Decision]:
    decisions = {code: Decision(False, f"a rival of {chosen}, which {what}") for code in codes}
    decisions[chosen] = Decision(True, f"{what}: no score decides it")
    return decisions


def _versus(threshold: float) -> str:
    return f" (selected at {threshold:.2f} or more)"


def _by_choice(codes: Sequence[str], choice: Mapping[str, float]) -> dict[str, Decision]:
    best = max([*codes, NONE], key=lambda c: (choice.get(c, 0.0), c == NONE))
    none = choice.get(NONE, 0.0)
    decisions = {}
    for code in codes:
        p = choice.get(code)
        if p is None:
            decisions[code] = Decision(False, f"not shown: beyond the first {MAX_OPTIONS} rivals")
        elif code == best:
            decisions[code] = Decision(
                True, f"chosen among {len(codes)} rivals: P = {p:.2f} (none of these {none:.2f})"
            )
        else:
            winner = "none of these" if best == NONE else best
            decisions[code] = Decision(
                False,
                f"a rival of {winner}, chosen instead: P = {p:.2f} against "
                f"{choice.get(best, 0.0):.2f}",
            )
    return decisions


def _by_rank(
    codes: Sequence[str], scores: Mapping[str, float], threshold: float
) -> dict[str, Decision]:
    """Choose the pool's best-ranked rival that reaches the threshold (``codes`` in pool order).

    Rivals' P(yes) differ by hundredths (C67.9 0.84, D49.4 0.84): the verifier judges whether
    the condition is documented, the pool ranker, fitted on coded notes, which code it takes.
    """
    accepted = [code for code in codes if scores[code] >= threshold]
    if not accepted:
        return _by_best_score(codes, scores, threshold)
    best = accepted[0]
    decisions = {}
    for code in codes:
        p = scores[code]
        if code == best:
            why = f"the best-ranked of {len(codes)} rivals the verifier accepts: P(yes) = {p:.2f}"
            decisions[code] = Decision(True, why + _versus(threshold))
        else:
            decisions[code] = Decision(
                False,
                f"a rival of {best}, which the pool ranked higher: P(yes) = {p:.2f} against "
                f"{scores[best]:.2f}",
            )
    return decisions


def _by_best_score(
    codes: Sequence[str], scores: Mapping[str, float], threshold: float
) -> dict[str, Decision]:
    best = max(codes, key=lambda c: scores[c])
    decisions = {}
    for code in codes:
        p = scores[code]
        if code == best:
            decisions[code] = Decision(
                p >= threshold, f"best P(yes) of {len(codes)} rivals: {p:.2f}{_versus(threshold)}"
            )
        else:
            decisions[code] = Decision(
                False,
                f"a rival of {best}, which scored higher: P(yes) = {p:.2f} against "
                f"{scores[best]:.2f}",
            )
    return decisions
