"""Which of a condition's rival codes the note states: the specifics come from the note.

A coder who reads "acute gangrenous appendicitis with localized peritonitis" codes K35.31
("... with localized peritonitis and gangrene"), not K35.30, and for "OSA" codes G47.33, not
G47.30, sleep apnea unspecified: the more specific code the record supports replaces the
unspecified one (OCG I.B.9), and an essential modifier the note states decides the code
(OCG I.A.7). The yes/no verifier weighs each rival alone and scores them alike; here the
rivals are compared by the words of their descriptions the note states.

A description word is stated when a word of the note (abbreviations expanded, everyday words
read as the index's: :func:`tools.index_modifiers.note_words`) shares its stem but for a last
letter or so ("hypoxic" and "hypoxia", "gangrenous" and "gangrene"). What a description says
of absence ("without perforation", "uncomplicated"), its nonessential words in parentheses,
the encounter of an injury (read by tools/code_cues.py) and the patient's sex are no words a
note must state.

The rule, among one condition's rivals:

- a specific rival the note states in full, with the most stated words, is the condition's
  code; every other rival (unspecified, "other", or with a word the note never states) is set
  aside;
- with no such rival, an "Other ..." code gives way to the unspecified one: "other" is for a
  kind the note names and the classification does not (OCG I.A.9.a), and a note that names
  nothing more than the condition has the index's default, the unspecified code. An "other"
  code the note states more words of ("Other polycystic kidney, infantile type" beside
  "Cystic kidney disease, unspecified") names its kind and stays; one an index subterm the
  note states reached ("Hemorrhoids, internal": K64.8) names it too, and counts as specific.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from tools.code_checks import LEFT_OPEN, is_vague
from tools.code_cues import described_sides
from tools.sides import stated_sides
from tools.words import content_words, telling_words, tokens

_ABSENCE = re.compile(r"\b(?:without|not|no|except)\b[^,;]*|\buncomplicated\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_OTHER = re.compile(r"^other\b|\bother specified\b", re.IGNORECASE)
_UNASKED = content_words(
    "initial subsequent encounter sequela closed fracture routine healing delayed female male "
    "mellitus elsewhere classified stated right left bilateral"
)
"""Words a note need not state here: the encounter and a fracture's default, and the side
(tools/code_cues.py reads both over the whole note), the patient's sex, "mellitus" (a
nonessential modifier of "Diabetes" in the index), and "classified elsewhere"."""
_MIN_PREFIX = 4
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)|\n")
_NEGATED = re.compile(
    r"\b(?:no|not|without|denies|denied|negative for|free of|absence of|ruled out)\b[^,.;:\n]*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class RivalWords:
    """What the note states of one rival's description."""

    stated: int
    unstated: tuple[str, ...]
    kind: str
    """specific, unspecified or other."""


def evidence_sentences(note: str, spans: Iterable[tuple[int, int]]) -> str:
    """Return the note's sentences that state the spans' words, negated phrases taken out.

    A rival is weighed by the words around its condition's mentions: "renal pelvis" in another
    paragraph says nothing of which kidney code the "left kidney" tumour takes, while every
    sentence that names the "dysphagia" of the evidence tells its phase. "No perforation"
    states no perforation. With no span, the whole note is read.
    """
    found = {note[start:end].strip().lower() for start, end in spans} - {""}
    if not found:
        return _NEGATED.sub(" ", note)
    ends = [0, *(m.end() for m in _SENTENCE_END.finditer(note)), len(note)]
    sentences = (note[a:b] for a, b in zip(ends, ends[1:], strict=False))
    return " ".join(
        _NEGATED.sub(" ", s) for s in sentences if any(text in s.lower() for text in found)
    )


def negated_out(text: str) -> str:
    """Return the text with its negated phrases ("no perforation", "ruled out ...") blanked."""
    return _NEGATED.sub(" ", text)


@lru_cache(maxsize=8192)
def description_words(description: str) -> Mapping[str, str]:
    """Return the words of a description a note must state to support the code, by stem."""
    text = _ABSENCE.sub(" ", _PARENTHESES.sub(" ", description))
    asked = telling_words(text) - _UNASKED
    words: dict[str, str] = {}
    for word in tokens(text):
        for stem in content_words(word) & asked:
            if not any(ch.isdigit() for ch in stem):
                words.setdefault(stem, word)
    return words


def is_stated(word: str, note_stems: frozenset[str]) -> bool:
    """Say whether a stem is stated: a note stem shares it but for its last letter or so."""
    if word in note_stems:
        return True
    for stem in note_stems:
        shorter = min(len(stem), len(word))
        need = max(_MIN_PREFIX, shorter - 1)
        if shorter >= _MIN_PREFIX and stem[:need] == word[:need]:
            return True
    return False


def rival_words(description: str, note_stems: frozenset[str]) -> RivalWords:
    """Read which words of one rival's description the note states."""
    words = description_words(description)
    unstated = tuple(word for stem, word in words.items() if not is_stated(stem, note_stems))
    kind = (
        "unspecified"
        if is_vague(description)
        else "other"
        if _OTHER.search(description)
        else "specific"
    )
    return RivalWords(len(words) - len(unstated), unstated, kind)


def unstated_rivals(
    descriptions: Mapping[str, str],
    note_stems: frozenset[str],
    named: frozenset[str] = frozenset(),
    combinations: bool = False,
) -> dict[str, str]:
    """Return the rivals of one condition the note's words set aside, each with the reason.

    Rivals are weighed within their category: N31.9 (neurogenic bladder) and N32.89, rivals
    from one mention of "bladder", are two conditions a coder might code, not a specific and
    an unspecified code of one.

    Args:
        descriptions: the condition's codes (two or more) and their descriptions.
        note_stems: :func:`tools.index_modifiers.note_words` of the words around them.
        named: the codes an index subterm the note states reached ("Hemorrhoids, internal"
            gives K64.8, other hemorrhoids): the note names their kind.
        combinations: whether a combination code the note states whole sets aside the
            rivals of other categories it names (``Context.named_symptom`` remove: CodiEsp's
            annotators code R52 beside R10.9, and it lost on their train notes).
    """
    categories: dict[str, dict[str, RivalWords]] = {}
    for code, text in descriptions.items():
        categories.setdefault(code[:3], {})[code] = rival_words(text, note_stems)
    aside: dict[str, str] = {}
    for read in categories.values():
        if len(read) > 1:
            aside.update(_set_aside(read, named))
    read_all = {code: r for read in categories.values() for code, r in read.items()}
    if combinations:
        aside |= _within_a_combination(descriptions, read_all, set(aside))
    aside |= _unspecified_beside_stated(descriptions, read_all, set(aside), combinations)
    return aside


def _unspecified_beside_stated(
    descriptions: Mapping[str, str],
    read: Mapping[str, RivalWords],
    aside: set[str],
    symptoms: bool,
) -> dict[str, str]:
    """Return another category's unspecified rivals that a rival the note states in full names.

    OCG I.B.9: the more specific code the record supports replaces the unspecified one, across
    categories too: "H. influenzae pneumonia" is J14 (pneumonia due to Hemophilus influenzae),
    not J18.9 (pneumonia, unspecified organism), a rival from the same mention; "alcoholic
    cirrhosis with ascites" is K70.31, not K74.60. The unspecified code's words, what it leaves
    open aside, must all be the specific one's. A symptom (chapter 18: R52 beside R10.13) goes
    only with ``symptoms`` (``Context.named_symptom`` remove: CodiEsp's annotators code both).
    """
    full = [
        (r.stated, code)
        for code, r in read.items()
        if code not in aside and r.kind == "specific" and r.stated and not r.unstated
    ]
    if not full:
        return {}
    most, chosen = max(full)
    theirs = set(description_words(descriptions[chosen]))
    found = {}
    for code, r in read.items():
        if r.kind != "unspecified" or code[:3] == chosen[:3] or code in aside:
            continue
        if code.startswith("R") and not symptoms:
            continue
        own = set(description_words(LEFT_OPEN.sub(" ", descriptions[code])))
        if own and own <= theirs:
            found[code] = (
                f"the note states {chosen} in full; {code} leaves it unspecified (OCG I.B.9)"
            )
    return found


def _within_a_combination(
    descriptions: Mapping[str, str], read: Mapping[str, RivalWords], aside: set[str]
) -> dict[str, str]:
    """Return the rivals another category's rival names whole, where the note states it whole.

    OCG I.B.9: "Assign only the combination code when that code fully identifies the
    diagnostic conditions involved": K35.31 (acute appendicitis with localized peritonitis and
    gangrene), stated in full, leaves K65.9 (peritonitis, unspecified) no place.
    """
    words = {code: set(description_words(text)) for code, text in descriptions.items()}
    found: dict[str, str] = {}
    for code, own in words.items():
        for other, theirs in words.items():
            whole = read[other].stated and not read[other].unstated
            if (
                code[:3] != other[:3]
                and own
                and own < theirs
                and whole
                and not {code, other} & aside
            ):
                found[code] = f"{other} names it in a combination the note states (OCG I.B.9)"
                break
    return found


def other_sides(descriptions: Mapping[str, str], evidence: str) -> dict[str, str]:
    """Return the rivals naming another side than the one their evidence states, and why.

    "Acute suppurative otitis media, L ear" takes H66.42, not H66.41, though the note also
    names the right ear (its past episode, its normal drum): the side read over the whole
    note decides nothing there, the condition's own sentences do (OCG I.B.13).

    Args:
        descriptions: the condition's codes (two or more) and their descriptions.
        evidence: :func:`evidence_sentences` of the condition's mentions.
    """
    sides = stated_sides(evidence)
    if len(sides) != 1:
        return {}
    (side,) = sides
    named = {code: described_sides(text) for code, text in descriptions.items()}
    if not any(side in words for words in named.values()):
        return {}
    return {
        code: f"its evidence states the {side} side (OCG I.B.13)"
        for code, words in named.items()
        if words and side not in words
    }


def _set_aside(read: Mapping[str, RivalWords], named: frozenset[str]) -> dict[str, str]:
    full = {
        c: r
        for c, r in read.items()
        if (r.kind == "specific" or (r.kind == "other" and c in named))
        and r.stated
        and not r.unstated
    }
    if full:
        most = max(r.stated for r in full.values())
        chosen = sorted(c for c, r in full.items() if r.stated == most)
        return {code: _why(code, chosen[0], read[code]) for code in read if code not in chosen}
    unspecified = sorted(c for c, r in read.items() if r.kind == "unspecified")
    if not unspecified:
        return {}
    most = max(read[c].stated for c in unspecified)
    return {
        code: f"the note names no other kind than {unspecified[0]}'s (OCG I.A.9.a)"
        for code, r in read.items()
        if r.kind == "other" and code not in named and r.stated <= most
    }


def _why(code: str, chosen: str, words: RivalWords) -> str:
    if words.kind != "specific":
        return f"the note states {chosen} in full (OCG I.B.9)"
    if words.unstated:
        return f"the note never states {', '.join(words.unstated)}; it states {chosen} in full"
    return f"the note states more of {chosen} (OCG I.A.7)"
