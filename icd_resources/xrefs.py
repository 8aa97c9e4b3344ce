"""Resolve ``see`` and ``see also`` instructions to the index entries they name (OCG I.A.16).

A target such as "Neoplasm, abdomen, wall, skin" is a path of comma-separated words; an index
title may itself hold commas ("Neoplasm, neoplastic") or alternatives ("abdomen, abdominal"),
so each title is matched either whole or by one of its comma-separated alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from icd_resources.alphabetic_index import EntryRecord
from icd_resources.models import IndexSource

_PARENS_RE = re.compile(r"\([^)]*\)")
_MAX_TITLE_PARTS = 5
# Targets that tell the coder to look up the condition itself, not a fixed entry.
_GENERIC_TARGETS = {"condition", "specific condition", "condition, by site", "by site", "by type"}
_SEARCH_ORDER = (IndexSource.INDEX, IndexSource.NEOPLASM, IndexSource.DRUG, IndexSource.EINDEX)


def normalize(text: str) -> str:
    """Lower-case, drop parenthesised modifiers and a trailing NEC/NOS, collapse white space."""
    text = _PARENS_RE.sub(" ", text.lower())
    text = " ".join(text.replace(" ,", ",").split()).strip(" ,.-")
    for suffix in (" nec", " nos"):
        text = text.removesuffix(suffix)
    return text


@dataclass(frozen=True, slots=True)
class Resolution:
    """The deepest entry a target path reached, and whether the whole path was matched."""

    entry_id: int | None
    exact: bool


class XrefResolver:
    """Match cross-reference paths against the row entries of every index source."""

    def __init__(self, entries: Iterable[EntryRecord]) -> None:
        # (source, parent) -> key -> [(entry id, parts the key consumes, rank)]; rank 0 is the
        # whole title, 1 its lead word, 2 a later alternative ("abdominal" of "abdomen,
        # abdominal"), tried only when nothing better matches: a main term like "Converter,
        # tuberculosis" must not capture targets that start with "Tuberculosis".
        self._keys: dict[tuple[IndexSource, int | None], dict[str, list[tuple[int, int, int]]]]
        self._keys = {}
        self._source_of: dict[int, IndexSource] = {}
        for entry in entries:
            if entry.column:  # table cells are not targets of cross-references
                continue
            self._source_of[entry.id] = entry.source
            slot = self._keys.setdefault((entry.source, entry.parent_id), {})
            whole = normalize(entry.title)
            parts = [p.strip() for p in whole.split(",") if p.strip()]
            slot.setdefault(whole, []).append((entry.id, max(len(parts), 1), 0))
            for rank, alternative in enumerate(parts[:1] + parts[1:], start=1):
                slot.setdefault(alternative, []).append((entry.id, 1, min(rank, 2)))

    def resolve(self, target: str, source: IndexSource) -> Resolution:
        """Find the entry a target names, searching ``source`` first and then the others."""
        text = normalize(target)
        if text.startswith("table of drugs and chemicals"):
            text = text.removeprefix("table of drugs and chemicals").strip(" ,")
            order: tuple[IndexSource, ...] = (IndexSource.DRUG,)
        else:
            order = (source, *[s for s in _SEARCH_ORDER if s != source])
        if not text or text in _GENERIC_TARGETS:
            return Resolution(None, False)
        parts = [p.strip() for p in text.split(",") if p.strip()]
        best: tuple[int, int | None] = (0, None)
        for candidate in order:
            consumed, entry_id = self._match(candidate, None, parts, 0)
            if consumed == len(parts):
                return Resolution(entry_id, True)
            if consumed > best[0]:
                best = (consumed, entry_id)
        return Resolution(best[1], False)

    def _match(
        self, source: IndexSource, parent: int | None, parts: list[str], start: int
    ) -> tuple[int, int | None]:
        """Return how many parts were consumed below ``parent`` and the deepest entry reached."""
        if start == len(parts):
            return start, parent
        slot = self._keys.get((source, parent))
        if not slot:
            return start, parent
        best: tuple[int, int | None] = (start, parent)
        for ranks in ((0, 1), (2,)):
            for width in range(min(_MAX_TITLE_PARTS, len(parts) - start), 0, -1):
                key = ", ".join(parts[start : start + width])
                for entry_id, title_parts, rank in slot.get(key, ()):
                    # A whole title consumes all its parts; an alternative consumes one.
                    if rank not in ranks or (width > 1 and title_parts != width):
                        continue
                    consumed, deepest = self._match(source, entry_id, parts, start + width)
                    if consumed > best[0] or best[1] == parent:
                        best = (consumed, deepest)
                    if consumed == len(parts):
                        return best
            if best[1] != parent:
                return best
        return best
