"""Locate the model's evidence quotes in the note by character offsets, verified.

A quote the model copied exactly is found as is; one with different case or white space is
re-located by a whitespace-insensitive match; a paraphrase that cannot be found is dropped
(never kept with wrong offsets).
"""

from __future__ import annotations

import re

from graph.schemas import Span
from tools.words import literal_words

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
    return _closest_sentence(note, quote, start, end)


_SENTENCE_RE = re.compile(r"[^.\n;]+[.;]?")
_MIN_OVERLAP = 0.6


def _closest_sentence(note: str, quote: str, start: int, end: int) -> Span | None:
    """Re-locate a paraphrased quote to the note sentence that holds most of its words.

    The span returned is the note's own text with its true offsets; below 60% of the quote's
    words in one sentence the quote is not trusted.
    """
    wanted = literal_words(quote, min_chars=3)
    if not wanted:
        return None
    best: tuple[float, int, int] = (0.0, 0, 0)
    for sentence in _SENTENCE_RE.finditer(note, start, end):
        words = literal_words(sentence.group(0))
        score = len(wanted & words) / len(wanted)
        if score > best[0]:
            best = (score, sentence.start(), sentence.end())
    score, s_start, s_end = best
    if score < _MIN_OVERLAP:
        return None
    text = note[s_start:s_end]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    return Span(text=text, start=s_start + lead, end=s_start + lead + len(text))


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
