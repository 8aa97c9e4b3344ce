"""What a code's structure asks of the words around its mention, before it is a candidate.

Two axes of a code are read from the note, never guessed from a search hit:

- the 7th character of injuries and external causes: ``A`` (initial encounter, active
  treatment) unless the clause says the care is subsequent (healing, follow-up) or a sequela
  (OCG I.C.19.a);
- the intent of a drug or toxic-substance code (T36-T65, its 6th character): an adverse
  effect needs a word of a drug's effect, underdosing a word of taking less, a poisoning a
  word of poisoning; a poisoning of unstated intent is accidental, and self-harm, assault or
  undetermined intent need their own words (OCG I.C.19.e.5);
- the side of a lateral code: "right", "left" or "bilateral" in its description needs that
  word ("both" for bilateral); with no side documented the unspecified side is coded
  (OCG I.B.13).

A drug named in "treated with ceftriaxone" is then no candidate at all: the drug table's cells
are effects of a drug, not the drug.
"""

from __future__ import annotations

import re

_SUBSEQUENT = frozenset(
    "subsequent follow followup healing healed recovery routine aftercare cast removal".split()
)
_SEQUELA = frozenset("sequela sequelae late residual".split())
_EFFECT = frozenset(
    "adverse effect effects reaction reactions side allergic allergy hypersensitivity "
    "induced intolerance attributed related secondary due toxicity".split()
)
_POISONING = frozenset(
    "poisoning poisoned overdose overdosed intoxication intoxicated ingestion ingested "
    "toxicity toxic wrong error suicide suicidal".split()
)
_UNDERDOSING = frozenset(
    "underdosing underdosed missed skipped stopped discontinued noncompliance noncompliant "
    "nonadherence reduced".split()
)
_INTENT_WORDS: dict[str, frozenset[str]] = {
    "1": _POISONING,  # accidental: the default intent of a poisoning
    "2": frozenset("suicide suicidal self harm intentional attempt".split()),
    "3": frozenset("assault assaulted homicide".split()),
    "4": frozenset("undetermined".split()),
    "5": _EFFECT,
    "6": _UNDERDOSING,
}
_DRUG_CODE = re.compile(r"^T(3[6-9]|[45]\d|6[0-5])\.[0-9A-Z]{2}[1-6]")
_SEVENTH = {"D": _SUBSEQUENT, "S": _SEQUELA}
_SIDES = {"right": {"right"}, "left": {"left"}, "bilateral": {"bilateral", "both"}}


def intent_of(code: str) -> str | None:
    """Return the intent character of a T36-T65 code (1-6), or None for other codes."""
    return code[6] if _DRUG_CODE.match(code) else None


def unsupported_axis(
    code: str, words: set[str], *, seventh: bool, description: str = ""
) -> str | None:
    """Say which axis of ``code`` the clause's ``words`` do not support, or None.

    Args:
        code: a billable code.
        words: the lower-case words (3+ letters) of the mention's clause and query.
        seventh: whether ``code`` ends in a 7th character (the release knows).
        description: the code's description (its side, if any).
    """
    intent = intent_of(code)
    if intent is not None and not words & _INTENT_WORDS[intent]:
        return f"intent {intent} of {code[:3]} is not stated (OCG I.C.19.e.5)"
    if seventh and code[-1] in _SEVENTH and not words & _SEVENTH[code[-1]]:
        return "a subsequent or sequela encounter is not stated (OCG I.C.19.a)"
    named = set(re.findall(r"[a-z]+", description.lower()))
    for side, cues in _SIDES.items():
        if side in named and not words & cues:
            return f"the {side} side is not stated (OCG I.B.13)"
    return None
