"""A coder's review page for one coding result: one self-contained, offline HTML file.

The note is shown with every evidence span highlighted; each code carries its evidence, index
path, tabular notes, the checks that touched it and the rationale; a coder accepts or rejects
each code and exports the accepted set. Everything from the note or the model is escaped by
the template (autoescape), so a note containing ``<script>`` is shown, never run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jinja2

_TEMPLATE = "review.html.j2"


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
    return env.get_template(_TEMPLATE).render(
        result=result,
        codes=codes,
        segments=note_segments(note, codes),
        checks=checks_by_code(result),
        # Inside a <script> element: "<" escaped so that no text can close it.
        codes_json=json.dumps(
            [{"code": c["code"], "description": c["description"]} for c in codes]
        ).replace("<", "\\u003c"),
    )


def _load(name: str) -> str:
    return (resources.files("graph") / "templates" / name).read_text(encoding="utf-8")
