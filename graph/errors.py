"""Errors the graph raises for input it cannot code."""

from __future__ import annotations


class NoteError(ValueError):
    """The note is empty, too large, or not text."""


class CalibrationError(ValueError):
    """A calibration file is unreadable, or was fitted for another model, release or prompt."""
