"""ICD-10-CM code strings: the one home of every rule about them.

Shape checks and normalisation, the index's incomplete codes, references and ranges inside
instructional notes, and the 7th character. Pure string functions; whether a code exists is the
store's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from icd_resources.errors import MalformedCodeError

# A category is a letter and two characters, at least one a digit: A00, C7A, QA0 (FY2026's
# letter-second categories); words in capitals (HIV, AND, HELLO) are not codes.
CATEGORY = r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])"
CODE = CATEGORY + r"(?:\.[0-9A-Z]{1,4})?"
_CODE_RE = re.compile(f"^{CODE}$")


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


# -- References to codes inside instructional notes -------------------------------------------
_REF_RE = re.compile(
    rf"\b(?P<first>{CODE})(?:\s*-\s*(?P<last>{CODE})\b|(?P<dash>\.?-))?(?![0-9A-Z.])"
)
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_WITH_RE = re.compile(
    r"\bwith (?:\.(?P<dotted>[0-9A-Z]{1,4})\b|(?P<nth>fourth|fifth|sixth) character (?P<char>\w)\b)"
)
_NTH = {"fourth": 3, "fifth": 4, "sixth": 5}


def _qualifier(reference: str) -> tuple[int, str] | None:
    match = _WITH_RE.search(reference)
    if match is None:
        return None
    if match["dotted"]:
        return 3, match["dotted"]
    return _NTH[match["nth"]], match["char"]


@dataclass(frozen=True, slots=True)
class CodeRef:
    """A reference to codes as a note writes it: ``E10.-``, ``N18.1-N18.6``, ``D56-D76``, ``I10``.

    A single code refers to itself and every code below it ("-" only says so explicitly); a
    range refers to every code from ``first`` to ``last``, each end read as a prefix (OCG I.A.2,
    I.A.12: "(N18.1-N18.6)" covers N18.30).
    """

    first: str
    last: str | None = None
    incomplete: bool = False
    with_chars: tuple[int, str] | None = None
    """Characters required at a position (0-based, no dot): "(E08-E13 with .42)" names
    E11.42, not E11.9; "(B27.0-B27.9 with fifth character 1)" names B27.01."""

    def covers(self, code: str) -> bool:
        """Say whether ``code`` is named by this reference."""
        bare = code.replace(".", "")
        low = self.first.replace(".", "")
        if self.with_chars is not None:
            at, chars = self.with_chars
            if bare[at : at + len(chars)] != chars:
                return False
        if self.last is None:
            return bare.startswith(low)
        high = self.last.replace(".", "")
        return low <= bare[: len(low)] and bare[: len(high)] <= high

    def __str__(self) -> str:
        if self.last:
            return f"{self.first}-{self.last}"
        return self.first + ("-" if self.incomplete else "")


def code_references(text: str) -> list[CodeRef]:
    """Return the code references of an instructional note, in order.

    Only codes inside parentheses count: that is how the Tabular List writes a note's
    reference, e.g. "diabetes mellitus (E08-E13)". Prose that names a category in passing
    ("any type in A15 (J65)") is not a reference.
    """
    refs: list[CodeRef] = []
    for group in _PAREN_RE.finditer(text):
        with_chars = _qualifier(group.group(1))
        for match in _REF_RE.finditer(_WITH_RE.sub("", group.group(1))):
            refs.append(
                CodeRef(
                    match["first"],
                    match["last"],
                    incomplete=bool(match["dash"]),
                    with_chars=with_chars,
                )
            )
    return refs


# A whole query written as a code: "E11.22", "e1122", "E11.-", "E08-E13", "I10 ".
_QUERY_RANGE_RE = re.compile(r"^(\S+?)\s*-\s*(\S+)$")
# Shaped like a dotted code although no code can be written so ("ZZZ.99").
_DOTTED_RE = re.compile(r"^[A-Z][0-9A-Z]{2}\.[0-9A-Z]{1,4}-?$")


def code_query(text: str) -> CodeRef | None:
    """Read a whole query as a code, an index code with its dash, or a range of codes.

    Returns:
        the reference, or None when the text is not written as a code (words, "B12 deficiency").

    Raises:
        MalformedCodeError: for a dotted text shaped like a code that no code can be
            ("ZZZ.99").
    """
    raw = " ".join(text.split()).upper()
    span = _QUERY_RANGE_RE.match(raw)
    if span and not raw.endswith("-"):
        try:
            return CodeRef(normalize_code(span[1]), normalize_code(span[2]))
        except MalformedCodeError:
            return None
    if raw.endswith("-"):
        parsed = split_index_code(raw)
        return CodeRef(parsed[0], incomplete=True) if parsed else None
    try:
        return CodeRef(normalize_code(raw))
    except MalformedCodeError:
        if _DOTTED_RE.match(raw):
            raise
        return None


def note_names(text: str, code: str) -> bool:
    """Say whether a note's references name ``code`` (itself, an ancestor, a range)."""
    return any(ref.covers(code) for ref in code_references(text))


# -- The 7th character ----------------------------------------------------------------------


def without_placeholders(code: str) -> str:
    """Return a code without its dot and trailing placeholder X's (``W19.XXX`` -> ``W19``)."""
    return code.replace(".", "").rstrip("X")


def same_but_for_seventh(full: str, short: str) -> bool:
    """Say whether ``full`` is ``short`` completed with a 7th character (OCG I.A.5).

    Datasets such as CodiEsp write a code without its 7th character, placeholders kept or not:
    ``W19.XXX`` and ``W19`` both stand for ``W19.XXXA``.
    """
    bare = full.replace(".", "")
    return len(bare) == 7 and without_placeholders(bare[:6]) == without_placeholders(short)
