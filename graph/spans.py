"""Locate the model's evidence quotes in the note by character offsets, verified.

A quote the model copied exactly is found as is; one with different case or white space is
re-located by a whitespace-insensitive match; a paraphrase that cannot be found is dropped
(never kept with wrong offsets).
"""

from __future__ import annotations

import re

from graph.schemas import Span

_MIN_QUOTE = 3


def locate_span(note: str, quote: str, start: int = 0, end: int | None = None) -> Span | None:
    """Find ``quote`` in ``note[start:end]`` and return it with offsets into ``note``."""
    quote = quote.strip().strip('"').strip()
    if len(quote) < _MIN_QUOTE:
        return None
    end = len(note) if end is None else end
    found = note.find(quote, start, end)
    if found >= 0:
        return Span(text=note[found : found + len(quote)], start=found, end=found + len(quote))
    words = [re.escape(w) for w in quote.split()]
    pattern = re.compile(r"\W*".join(words), re.IGNORECASE)
    match = pattern.search(note, start, end)
    if match:
        return Span(text=match.group(0), start=match.start(), end=match.end())
    return None


def split_note(note: str, chunk_chars: int, overlap: int = 400) -> list[tuple[int, int]]:
    """Cut a note into overlapping (start, end) windows at line or sentence ends.

    Every character of the note is in at least one window, so nothing is dropped.
    """
    if len(note) <= chunk_chars:
        return [(0, len(note))]
    windows: list[tuple[int, int]] = []
    start = 0
    while start < len(note):
        end = min(len(note), start + chunk_chars)
        if end < len(note):
            cut = max(
                note.rfind("\n", start + chunk_chars // 2, end),
                note.rfind(". ", start + chunk_chars // 2, end),
            )
            if cut > start:
                end = cut + 1
        windows.append((start, end))
        if end >= len(note):
            break
        start = max(end - overlap, start + 1)
    return windows
