"""Errors the graph raises for input it cannot code."""

from __future__ import annotations


class NoteError(ValueError):
    """The note is empty, too large, or not text."""
