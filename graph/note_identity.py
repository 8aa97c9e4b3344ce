"""A note's identity: the short fingerprint its results and checkpoints carry."""

from __future__ import annotations

import hashlib


def note_sha256(text: str) -> str:
    """Return the first 16 hex digits of the SHA-256 of the note's UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def same_note_or_say(saved: str, given: str, what: str) -> str:
    """Return "" when two fingerprints match, else a sentence naming both."""
    if saved == given:
        return ""
    return (
        f"{what} was made from another note (fingerprint {saved}) than the one given "
        f"(fingerprint {given})"
    )
