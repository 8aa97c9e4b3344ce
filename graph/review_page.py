"""A coder's review page for one coding result: one self-contained, offline HTML file.

The note is shown with every evidence span highlighted. The codes follow the decision: each
final code, grouped by its condition, carries its score, evidence, index path, tabular notes,
the checks that touched it, the rationale and its condition's rival codes (a click swaps one
in); below them, every other candidate the run considered, with why it is not final (a click
adds one). A coder accepts or rejects each code and exports the accepted set; a code the
verifier was not confident in starts un-accepted, marked for review. Everything from the note
or the model is escaped by the template (autoescape), so a note containing ``<script>`` is
shown, never run. A result written before these keys existed renders as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2

_TEMPLATE = "review.html.j2"

CONFIDENT = 0.5
"""A final code whose P(yes) is below this (or was not scored) starts un-accepted."""

FOLD = 20
"""How many 'also considered' codes show before 'show all'."""


@dataclass
class Segment:
    """A run of note text and the codes whose evidence covers it (none: plain text)."""

    text: str
    start: int
    codes: list[str] = field(default_factory=list)


def note_segments(note: str, codes: list[dict[str, Any]]) -> list[Segment]:
    """Cut the note at every evidence boundary; each piece knows which codes cite it."""
    cuts = {0, len(note)}
    spans: list[tuple[int, int, str]] = []
    for code in codes:
        for span in code.get("evidence", []):
            start, end = max(0, int(span["start"])), min(len(note), int(span["end"]))
            if start < end:
                spans.append((start, end, code["code"]))
                cuts |= {start, end}
    points = sorted(cuts)
    segments = []
    for start, end in zip(points, points[1:], strict=False):
        covering = [c for s, e, c in spans if s <= start and end <= e]
        segments.append(Segment(note[start:end], start, list(dict.fromkeys(covering))))
    return segments


def checks_by_code(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return, for each code, the checks that name it."""
    touched: dict[str, list[dict[str, Any]]] = {}
    for check in result.get("checks", []):
        for code in check.get("codes", []):
            touched.setdefault(code, []).append(check)
    return touched


@dataclass
class Option:
    """A code a coder may put in the accepted set instead of, or beside, the final ones."""

    code: str
    description: str
    score: float | None = None
    choice: float | None = None
    why: str = ""


@dataclass
class Card:
    """A final code with its condition's rivals, and whether it needs a coder's review."""

    code: dict[str, Any]
    alternatives: list[Option]
    review: bool


@dataclass
class Group:
    """The final codes of one condition (mostly one), in rank order."""

    condition: str
    cards: list[Card]


def _option(item: dict[str, Any]) -> Option:
    return Option(
        code=str(item["code"]),
        description=str(item.get("description") or ""),
        score=item.get("score"),
        choice=item.get("choice"),
        why=str(item.get("why") or ""),
    )


def needs_review(code: dict[str, Any]) -> bool:
    """Tell whether a final code starts un-accepted: scored below ``CONFIDENT``, or not scored.

    A result written before scores existed has no ``score`` key: its codes start accepted.
    """
    if "score" not in code:
        return False
    score = code["score"]
    return score is None or float(score) < CONFIDENT


def code_groups(result: dict[str, Any]) -> list[Group]:
    """Group the final codes by condition, each with its rivals described from ``considered``."""
    final = {c["code"] for c in result.get("codes", [])}
    known = {item["code"]: _option(item) for item in result.get("considered", [])}
    groups: dict[str, Group] = {}
    for code in result.get("codes", []):
        condition = code.get("condition") or code["code"]
        # A rival that is itself final has its own card: swapping to it would duplicate it.
        rivals = [a for a in code.get("alternatives", []) if a not in final]
        card = Card(code, [known.get(a, Option(a, "")) for a in rivals], needs_review(code))
        groups.setdefault(condition, Group(condition, [])).cards.append(card)
    return list(groups.values())


def also_considered(result: dict[str, Any], groups: list[Group]) -> list[Option]:
    """Return the considered codes not already offered as a final code's alternative."""
    offered = {o.code for g in groups for card in g.cards for o in card.alternatives}
    final = {c["code"] for c in result.get("codes", [])}
    return [
        _option(item)
        for item in result.get("considered", [])
        if item["code"] not in offered and item["code"] not in final
    ]


def _page_codes(groups: list[Group], rest: list[Option]) -> dict[str, dict[str, Any]]:
    """Return what the page's script needs of every code it may export, by code."""
    data: dict[str, dict[str, Any]] = {}
    for group in groups:
        for card in group.cards:
            code = card.code
            data[code["code"]] = {
                "code": code["code"],
                "description": code["description"],
                "score": code.get("score"),
            }
            for option in card.alternatives:
                data.setdefault(option.code, _option_data(option))
    for option in rest:
        data.setdefault(option.code, _option_data(option))
    return data


def _option_data(option: Option) -> dict[str, Any]:
    return {"code": option.code, "description": option.description, "score": option.score}


def render_review_page(result: dict[str, Any], note: str) -> str:
    """Return the review page of a coding result as one HTML document.

    Args:
        result: the graph's result (``out["result"]``, or a result JSON file's content).
        note: the note's text, the one the evidence offsets point into.
    """
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    codes = result.get("codes", [])
    groups = code_groups(result)
    rest = also_considered(result, groups)
    return env.get_template(_TEMPLATE).render(
        result=result,
        codes=codes,
        groups=groups,
        considered=rest,
        fold=FOLD,
        confident=CONFIDENT,
        to_review=sum(card.review for group in groups for card in group.cards),
        segments=note_segments(note, codes),
        checks=checks_by_code(result),
        # Inside a <script> element: "<" escaped so that no text can close it.
        codes_json=json.dumps(_page_codes(groups, rest)).replace("<", "\\u003c"),
    )


def _load(name: str) -> str:
    return (resources.files("graph") / "templates" / name).read_text(encoding="utf-8")
