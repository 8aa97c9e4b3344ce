"""ICD-10-CM code strings: normalisation, shape checks and 7th-character expansion.

These are pure string functions; whether a code exists is the store's business.
"""

from __future__ import annotations

import re

from icd_resources.errors import MalformedCodeError

_CODE_RE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")
_BLOCK_RE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z]-[A-Z][0-9A-Z][0-9A-Z]$")


def normalize_code(raw: str) -> str:
    """Return the canonical dotted, upper-case form of a code.

    Accepts lower case, surrounding blanks and the undotted form (``e1122`` -> ``E11.22``).

    Raises:
        MalformedCodeError: if the string is not shaped like an ICD-10-CM code.

    """
    text = raw.strip().upper()
    if "." not in text and len(text) > 3:
        text = f"{text[:3]}.{text[3:]}"
    if text.endswith("."):
        text = text[:-1]
    if not _CODE_RE.match(text):
        raise MalformedCodeError(raw)
    return text


def is_block_id(text: str) -> bool:
    """Say whether ``text`` is a block (section) id such as ``A00-A09``."""
    return bool(_BLOCK_RE.match(text))


def split_index_code(raw: str) -> tuple[str, bool] | None:
    """Parse a code as the Alphabetic Index prints it.

    A trailing ``-`` (``S72.0-``, ``A30.-``) means the code is incomplete and must be
    completed from the Tabular List (OCG I.A.2 and I.B.1).

    Returns:
        ``(code, incomplete)``, or None when the text is not a code (``--`` cells, prose).

    """
    text = raw.strip().upper()
    incomplete = text.endswith("-")
    text = text.rstrip("-").rstrip(".")
    if not _CODE_RE.match(text):
        return None
    return text, incomplete


def with_seventh_character(code: str, char: str) -> str:
    """Append a 7th character, padding with the placeholder X (OCG I.A.4, I.A.5).

    ``W59.22`` + ``A`` -> ``W59.22XA``; ``T36.0X1`` + ``A`` -> ``T36.0X1A``; ``S32`` + ``A`` ->
    ``S32.XXXA``.
    """
    bare = code.replace(".", "").ljust(6, "X")
    return f"{bare[:3]}.{bare[3:]}{char}"
