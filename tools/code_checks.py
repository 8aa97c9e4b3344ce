"""Deterministic coding checks on an ordered code set: what a claim scrubber does, recorded.

Each rule reads the release's own data (descriptions, instructional notes, 7th characters)
and the Official Guidelines' conventions; each firing is a :class:`Check` naming the rule and
its section, the codes, and what was done. Nothing is changed silently. The rules, in order:

- billable codes only (OCG I.A.3, I.B.2), the 7th character (I.A.5);
- a code is reported once (I.B.12);
- Excludes1 (I.A.12.a), code-level and chapter-level: remove the lower-ranked code, or flag;
- combination codes (I.A.15, I.B.9, I.C.9.a): hypertension with heart disease or CKD;
  an unspecified code beside a specific code of the same category;
- laterality (I.B.13): an unspecified side beside a sided code of the same condition;
- encounter 7th characters (I.C.19.a): one injury, one encounter type;
- etiology before manifestation, "code first" (I.A.13); manifestations never alone;
- external causes never first-listed (I.C.20.a.6); status and history Z codes after the
  condition (I.C.21.c.3, I.C.21.c.4);
- a symptom code beside a diagnosis of the same body system: removed or flagged (the policy),
  since a symptom routinely associated with the diagnosis is not coded (I.B.4, I.B.5);
- "use additional code" companions missing from the set (I.A.13): flagged, never added;
- an encounter for chemotherapy or radiation therapy first-listed (I.C.2.e.2); so are a
  screening the visit is for (I.C.21.c.5), a routine exam and the birth record's Z38 code
  (I.C.21.c.15).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, Field

from icd_resources import Chapter, IcdResources, Note, NoteKind
from icd_resources.codes import CodeRef, code_references, note_names
from tools.words import TITLE_WORDS, content_words, telling_words


class Check(BaseModel):
    """A deterministic check that ran on a code set (recorded, never hidden)."""

    rule: str = Field(description="The rule and its section, e.g. 'Excludes1 (OCG I.A.12.a)'.")
    codes: list[str]
    action: str = Field(description="'removed X', 'moved X before Y', 'flagged', ...")
    detail: str = ""


class Setting(StrEnum):
    """Where the encounter happened: it decides how uncertain diagnoses are coded."""

    INPATIENT = "inpatient"  # OCG II.H: code uncertain diagnoses as if established
    OUTPATIENT = "outpatient"  # OCG IV.H: code the signs and symptoms instead


class Action(StrEnum):
    """What a rule that judges a pair of codes does: remove one, or flag both for review."""

    REMOVE = "remove"
    FLAG = "flag"


@dataclass(frozen=True)
class CheckPolicy:
    """How the checks act, and which rules are switched off.

    The defaults were chosen by measurement on CodiEsp dev (``python -m evals.bench_checks``):
    removing the lower-ranked code of an Excludes1 pair, or an unspecified code beside a
    specific one, lowered micro F1 there; both are flagged for review by default. OCG I.A.12.a
    itself allows an Excludes1 pair when the two conditions are unrelated.
    """

    excludes1: Action = Action.FLAG
    unspecified: Action = Action.FLAG
    residual: Action = Action.REMOVE
    """A residual code (T14, X58, B99.9, C80) beside a code that names its kind (OCG I.C.19.b,
    I.C.2.j-k), and a "without complications" code beside one of its category that codes a
    complication (OCG I.C.4.a): removed, as the guideline says (docs/evaluation.md has what it
    changes on the CodiEsp train notes the defaults fit on); the guideline's call, not a fitted
    one."""
    integral: Action = Action.FLAG
    named_symptom: Action = Action.FLAG
    """A symptom a diagnosis's description names in full (R73.9 beside E11.65), or an
    unspecified code of another chapter a final code names (G62.9 beside E11.42): the guideline
    removes it (OCG I.B.9); CodiEsp's annotators code it, and removing lost on its train notes
    (docs/evaluation.md), so it is flagged unless ``Context.named_symptom`` says remove."""
    setting: Setting = Setting.INPATIENT
    disabled: frozenset[str] = field(default_factory=frozenset)
    own_problems: frozenset[str] = field(default_factory=frozenset)
    """Symptoms the provider states as problems of their own ("ED Dx: Chest pain"): never
    integral to a diagnosis stated elsewhere (OCG I.B.6, IV.D); read from the note by
    :func:`tools.first_listed.own_problems`."""


@dataclass
class _Run:
    """One run of the rules: the record, and what the rules read, each read once.

    Rules that judge pairs of codes ask about every pair; reading notes, references and
    chapters from the release once per code keeps a long list linear in the store's reads.
    """

    icd: IcdResources
    policy: CheckPolicy
    checks: list[Check] = field(default_factory=list)
    _notes: dict[tuple[str, NoteKind], list[Note]] = field(default_factory=dict)
    _refs: dict[str, list[CodeRef]] = field(default_factory=dict)
    _chapters: dict[str, Chapter] = field(default_factory=dict)
    _manifestations: dict[str, bool] = field(default_factory=dict)
    _descriptions: dict[str, str] = field(default_factory=dict)
    _sides: dict[str, tuple[str, int]] = field(default_factory=dict)
    _spans: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    _vague: dict[str, bool] = field(default_factory=dict)

    def record(self, rule: str, codes: list[str], action: str, detail: str = "") -> None:
        self.checks.append(Check(rule=rule, codes=codes, action=action, detail=detail))

    def description(self, code: str) -> str:
        if code not in self._descriptions:
            self._descriptions[code] = self.icd.lookup(code).description
        return self._descriptions[code]

    def is_vague(self, code: str) -> bool:
        """Say whether a description reads unspecified ("NOS", "without complications")."""
        if code not in self._vague:
            self._vague[code] = is_vague(self.description(code))
        return self._vague[code]

    def sides(self, code: str) -> tuple[str, int]:
        """Return a description without its sides, and how often it says "unspecified"."""
        if code not in self._sides:
            text = self.description(code)
            self._sides[code] = (_SIDES.sub("", text), text.lower().count("unspecified"))
        return self._sides[code]

    def notes(self, code: str, kind: NoteKind) -> list[Note]:
        """Return the notes of one kind that apply to ``code`` (``IcdResources.notes_for``)."""
        key = (code, kind)
        if key not in self._notes:
            self._notes[key] = self.icd.notes_for(code, kinds={kind})
        return self._notes[key]

    def refs(self, note: Note) -> list[CodeRef]:
        """Return a note's code references (``code_references``, parsed once)."""
        if note.text not in self._refs:
            self._refs[note.text] = code_references(note.text)
        return self._refs[note.text]

    def names(self, note: Note, code: str) -> bool:
        """Say whether a note's references name ``code`` (as ``note_names`` does)."""
        return any(ref.covers(code) for ref in self.refs(note))

    def chapter_of(self, code: str) -> Chapter:
        if code not in self._chapters:
            self._chapters[code] = self.icd.chapter_of(code)
        return self._chapters[code]

    def is_manifestation(self, code: str) -> bool:
        if code not in self._manifestations:
            self._manifestations[code] = is_manifestation(self.icd, code)
        return self._manifestations[code]

    def excludes1_spans(self, code: str) -> set[tuple[str, str]]:
        """Return the category spans that the Excludes1 notes of ``code`` refer to."""
        if code not in self._spans:
            notes = self.notes(code, NoteKind.EXCLUDES1)
            self._spans[code] = {_categories(ref) for note in notes for ref in self.refs(note)}
        return self._spans[code]

    def excludes(self, code: str, other: str) -> Note | None:
        """Return the Excludes1 note of ``code`` naming ``other`` (see :func:`excludes`)."""
        return next((n for n in self.notes(code, NoteKind.EXCLUDES1) if self.names(n, other)), None)


Rule = Callable[[_Run, list[str]], list[str]]

BILLABLE = "Billable codes only (OCG I.A.3, I.B.2)"
DUPLICATE = "Report a code once (OCG I.B.12)"
EXCLUDES1 = "Excludes1 (OCG I.A.12.a)"
COMBINATION = "Combination code (OCG I.A.15, I.B.9, I.C.9.a)"
UNSPECIFIED = "Unspecified beside specific (OCG I.B.9, I.A.9.b)"
LATERALITY = "Laterality (OCG I.B.13)"
ENCOUNTER = "Encounter 7th character (OCG I.C.19.a)"
CODE_FIRST = "Code first / etiology before manifestation (OCG I.A.13)"
MANIFESTATION = "Manifestation never alone (OCG I.A.13)"
EXTERNAL_CAUSE = "External cause never first-listed (OCG I.C.20.a.6)"
STATUS = "Status and history codes follow the condition (OCG I.C.21.c.3, I.C.21.c.4)"
SYMPTOM_FIRST = "A symptom is not principal beside its definitive diagnosis (OCG II.A)"
INTEGRAL = "Signs and symptoms integral to a diagnosis (OCG I.B.4, I.B.5)"
USE_ADDITIONAL = "Use additional code (OCG I.A.13)"
TREATMENT_FIRST = "Encounter for antineoplastic therapy first-listed (OCG I.C.2.e.2)"
ENCOUNTER_FIRST = (
    "The encounter's reason first-listed: a screening (OCG I.C.21.c.5); a routine exam, the "
    "birth record (Z00, Z38: first-listed only, I.C.21.c.15)"
)
POISONING_FIRST = "A poisoning before its manifestations (OCG I.C.19.e.5.b)"
RECORD_OF_ONE = "The mother's record or the newborn's, not both (OCG I.C.16.a.1)"
OBSTETRIC_FIRST = "Chapter 15 codes have sequencing priority (OCG I.C.15.a.1)"
CAUSE_ALONE = "An external cause goes with the injury or condition it caused (OCG I.C.20.a.1-2)"
NAMED_SYMPTOM = "A symptom the combination code names (OCG I.B.9)"
NAMED_CONDITION = "A condition the combination code names (OCG I.B.9)"
COVID_FIRST = "COVID-19 before its respiratory manifestations (OCG I.C.1.g.1.c)"
ANTIDIABETIC_USE = (
    "Long-term antidiabetic drug use where the diabetes code asks for it (OCG I.C.4.a.3, I.C.15.i)"
)


def run_checks(
    icd: IcdResources, ordered: list[str], policy: CheckPolicy | None = None
) -> tuple[list[str], list[Check]]:
    """Apply every rule to an ordered code list; return the corrected list and the record."""
    run = _Run(icd, policy or CheckPolicy())
    codes = _billable_once(run, ordered)
    for name, rule in RULES:
        if name not in run.policy.disabled:
            codes = rule(run, codes)
    return codes, run.checks


def _billable_once(run: _Run, ordered: list[str]) -> list[str]:
    codes: list[str] = []
    for code in ordered:
        info = run.icd.get(code)
        if info is None or not info.billable:
            run.record(BILLABLE, [code], f"removed {code}", _why_not_billable(run.icd, code))
        elif code in codes:
            run.record(DUPLICATE, [code], f"removed duplicate {code}")
        else:
            codes.append(code)
    return codes


def _why_not_billable(icd: IcdResources, code: str) -> str:
    if icd.get(code) is None:
        return "not a code of this release"
    if icd.needs_seventh_character(code):
        return "needs its 7th character (OCG I.A.5)"
    return "a category or subcategory, not a billable code"


# -- Excludes1 -----------------------------------------------------------------------------


def excludes(icd: IcdResources, code: str, other: str) -> Note | None:
    """Return the Excludes1 note of ``code`` (at any level, chapter included) naming ``other``."""
    for note in icd.notes_for(code, kinds={NoteKind.EXCLUDES1}):
        if note_names(note.text, other):
            return note
    return None


def _group(codes: list[str], key: Callable[[str], str]) -> dict[str, list[str]]:
    """Group codes by a key, each group in the codes' order."""
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(key(code), []).append(code)
    return groups


class _SortedCodes:
    """A code set sorted without dots: the codes a note's reference covers, by bisection."""

    def __init__(self, codes: list[str]) -> None:
        self._sorted = sorted((c.replace(".", ""), c) for c in set(codes))
        self._keys = [bare for bare, _ in self._sorted]

    def covered(self, ref: CodeRef) -> list[str]:
        """Return the codes ``ref`` covers (``CodeRef.covers``), in dotless order."""
        # Every covered code sorts between the reference's first end and its last end read
        # as a prefix; the exact test then decides.
        low = ref.first.replace(".", "")
        high = (ref.last or ref.first).replace(".", "") + "\U0010ffff"
        start, end = bisect.bisect_left(self._keys, low), bisect.bisect_right(self._keys, high)
        return [code for _, code in self._sorted[start:end] if ref.covers(code)]


def _categories(ref: CodeRef) -> tuple[str, str]:
    # A reference covers a code only if the code's category lies between the categories of
    # its ends (CodeRef.covers compares prefixes of at least a category's three characters).
    return ref.first.replace(".", "")[:3], (ref.last or ref.first).replace(".", "")[:3]


@dataclass
class _Kept:
    """The codes the Excludes1 rule has kept, indexed so a new code meets only possible clashes.

    ``candidates`` returns, in kept order, a superset of the kept codes whose Excludes1 notes
    can name the new code or be named by its notes; the rule then tests those pairs exactly.
    """

    codes: list[str] = field(default_factory=list)
    _by_category: dict[str, list[int]] = field(default_factory=dict)
    _categories: list[str] = field(default_factory=list)  # sorted
    _naming_one: dict[str, set[int]] = field(default_factory=dict)  # category -> positions
    _naming_range: dict[tuple[str, str], set[int]] = field(default_factory=dict)

    def add(self, run: _Run, code: str) -> None:
        position = len(self.codes)
        self.codes.append(code)
        if code[:3] not in self._by_category:
            bisect.insort(self._categories, code[:3])
        self._by_category.setdefault(code[:3], []).append(position)
        for low, high in run.excludes1_spans(code):
            if low == high:
                self._naming_one.setdefault(low, set()).add(position)
            else:
                self._naming_range.setdefault((low, high), set()).add(position)

    def candidates(self, run: _Run, code: str) -> list[str]:
        category = code[:3]
        found = set(self._naming_one.get(category, ()))
        for (low, high), positions in self._naming_range.items():
            if low <= category <= high:
                found |= positions
        for low, high in run.excludes1_spans(code):
            start = bisect.bisect_left(self._categories, low)
            end = bisect.bisect_right(self._categories, high)
            for named in self._categories[start:end]:
                found.update(self._by_category[named])
        return [self.codes[p] for p in sorted(found)]


def _excludes1(run: _Run, codes: list[str]) -> list[str]:
    kept = _Kept()
    for code in codes:
        clash, note = next(
            (
                (k, n)
                for k in kept.candidates(run, code)
                if (n := run.excludes(k, code) or run.excludes(code, k))
            ),
            (None, None),
        )
        if clash is None or note is None:
            kept.add(run, code)
            continue
        detail = f'{note.origin}: "{note.full_text}". '
        if run.policy.excludes1 is Action.REMOVE:
            run.record(
                EXCLUDES1,
                [clash, code],
                f"removed {code}",
                detail + f"Kept {clash}, ranked higher; if the two conditions are unrelated, "
                "both may be reported: review.",
            )
            continue
        kept.add(run, code)
        run.record(
            EXCLUDES1,
            [clash, code],
            "flagged",
            detail + "Never coded together unless the conditions are unrelated: review.",
        )
    return kept.codes


# -- Combination codes ---------------------------------------------------------------------


def _replace(codes: list[str], old: str, new: str) -> list[str]:
    out = [new if c == old else c for c in codes]
    return list(dict.fromkeys(out))


def _ahead(codes: list[str], first: str, second: str) -> list[str]:
    """Return the codes with ``first`` in ``second``'s place when it came after it.

    A part flagged beside the combination code that names it (kept for review) never leads
    it: the combination code identifies the condition (OCG I.B.9, II.A).
    """
    if codes.index(first) < codes.index(second):
        return codes
    rest = [c for c in codes if c != first]
    at = rest.index(second)
    return [*rest[:at], first, *rest[at:]]


def _moved(moved: bool, first: str, second: str) -> str:
    if not moved:
        return ""
    return f" Moved {first} before {second}, which never leads the code it is part of."


def _hypertension(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.9.a: hypertension with heart failure or CKD is presumed linked ("with",
    # I.A.15) and coded with a combination code from I11-I13; the CKD stage and the heart
    # failure type are coded in addition. I.C.9.a.3: heart involvement and CKD together are
    # I13, so I11 beside I12 (each chosen for one part) is one I13 code.
    hypertensive = [c for c in codes if c == "I10" or c[:3] in ("I11", "I12", "I13")]
    if not hypertensive:
        return codes
    target = _hypertension_target(codes)
    if target is None or hypertensive == [target]:
        return codes
    ckd = [c for c in codes if c.startswith("N18.")]
    failure = [c for c in codes if c.startswith("I50.")]
    new = [target if c == hypertensive[0] else c for c in codes if c not in hypertensive[1:]]
    new = list(dict.fromkeys(new))
    parts = [c for c in hypertensive if c != target]
    run.record(
        COMBINATION,
        [*parts, *ckd, *failure],
        f"replaced {', '.join(parts)} with {target}",
        f"{run.description(target)}: hypertension with "
        + " and ".join(
            x for x, on in (("CKD", _has_ckd(codes)), ("heart disease", _heart(codes))) if on
        )
        + " is presumed linked (OCG I.C.9.a.1-3); the stage or type is coded in addition.",
    )
    return new


def _has_ckd(codes: list[str]) -> bool:
    return any(c.startswith(("N18.", "I12.")) or c[:3] == "I13" for c in codes)


def _heart(codes: list[str]) -> str:
    """Return "failure", "disease" (I11.9, without failure) or "" for the heart's part."""
    if any(c.startswith("I50.") or c in ("I11.0", "I13.0", "I13.2") for c in codes):
        return "failure"
    return "disease" if any(c in ("I11.9", "I13.10", "I13.11") for c in codes) else ""


def _hypertension_target(codes: list[str]) -> str | None:
    """Return the one hypertension code the set's heart and kidney codes call for."""
    late = any(c in ("N18.5", "N18.6", "I12.0", "I13.11", "I13.2") for c in codes)
    heart = _heart(codes)
    if _has_ckd(codes):
        if heart == "failure":
            return "I13.2" if late else "I13.0"
        if heart == "disease":
            return "I13.11" if late else "I13.10"
        return "I12.0" if late else "I12.9"
    if heart == "failure":
        return "I11.0"
    return "I11.9" if heart == "disease" else None


_VAGUE = re.compile(r"\b(unspecified|without complications?|NOS)\b", re.IGNORECASE)
_UNCOMPLICATED = re.compile(r"\bwithout complications?\b", re.IGNORECASE)


def is_vague(description: str) -> bool:
    """Say whether a description is unspecified ("unspecified", "without complications")."""
    # OCG I.B.9: a specific code of the category replaces it when the record supports one.
    return _VAGUE.search(description) is not None


_SIDES = re.compile(r"\b(right|left|bilateral|unspecified)\b", re.IGNORECASE)


def _is_unspecified_side(run: _Run, vague: str, specific: str) -> bool:
    (a, a_unspecified), (b, b_unspecified) = run.sides(vague), run.sides(specific)
    return a == b and a_unspecified > b_unspecified


def _primary_site_stated(code: str) -> bool:
    """Say whether a code is a malignant neoplasm of a primary site it names."""
    if code.startswith("C7A.0"):
        return code != "C7A.00"  # malignant carcinoid tumor of unspecified site
    return "C00" <= code[:3] <= "C76" or "C81" <= code[:3] <= "C96"


_RESIDUAL_KINDS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    # An injury of unspecified body region beside an injury whose site is coded (OCG I.C.19.b
    # says of T07, unspecified multiple injuries: "unless information for a more specific
    # code is not available").
    ("T14.", lambda c: c[0] == "S" or ("T15" <= c[:3] <= "T34")),
    # "Exposure to other specified factors" beside an external cause that names the cause.
    ("X58.", lambda c: "V00" <= c[:3] <= "Y38" and not c.startswith("X58")),
    ("B99.9", lambda c: "A00" <= c[:3] <= "B99" and not c.startswith("B99")),
    # Cancer of unspecified site "should only be used when no determination can be made as
    # to the primary site" (OCG I.C.2.k): beside a malignant neoplasm of a stated primary site.
    ("C80.1", _primary_site_stated),
    # Disseminated cancer "should not be used in place of assigning codes for the primary site
    # and all known secondary sites" (OCG I.C.2.j).
    ("C80.0", lambda c: _primary_site_stated(c) or ("C77" <= c[:3] <= "C79" and c != "C79.9")),
)
"""Residual codes that a specific code of another category codes more specifically."""


def _of_kind(vague: str, other: str) -> bool:
    """Say whether ``other`` codes more specifically what the residual ``vague`` codes.

    With ``other`` empty: whether ``vague`` is a residual code at all.
    """
    return any(
        vague.startswith(prefix) and (not other or kind(other)) for prefix, kind in _RESIDUAL_KINDS
    )


_INFECTION = re.compile(
    r"\b(?:infections?|infectious|infected|pneumonia|sepsis|cellulitis|abscess)\b", re.IGNORECASE
)


def _residual_beside(run: _Run, vague: str, other: str) -> bool:
    """Say whether ``other`` codes more specifically what the residual ``vague`` codes.

    B99.9 (unspecified infectious disease, the index's default for "infection") is coded by
    any code that names the infection, of a site (N39.0, J06.9, L03.-) as of an organism.
    """
    if _of_kind(vague, other):
        return True
    return vague == "B99.9" and other != vague and bool(_INFECTION.search(run.description(other)))


def _unspecified(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.B.9 / I.A.9.b: when the record supports a more specific code of the same
    # category (or, for a residual code, of its kind), the unspecified one ("without
    # complications", "unspecified") is not also reported; an unspecified side is the
    # laterality rule's business.
    kept = list(codes)
    in_kept = set(codes)
    by_category = _group(codes, lambda c: c[:3])
    for vague in codes:
        if not run.is_vague(vague) and not _of_kind(vague, ""):
            continue
        specific = next(
            (
                c
                for c in by_category[vague[:3]]
                if c in in_kept
                and c != vague
                and not run.is_vague(c)
                and not _is_unspecified_side(run, vague, c)
            ),
            None,
        )
        by_kind = specific is None  # a residual code, beside a code of its kind
        specific = specific or next(
            (c for c in codes if c in in_kept and _residual_beside(run, vague, c)), None
        )
        if specific is None or vague not in in_kept:
            continue
        # "Without complications" beside a code of its category that names one is no vaguer
        # code but a contradiction (OCG I.C.4.a: as many codes as needed for the associated
        # conditions): removed with the residual codes, not only flagged.
        denies = not by_kind and _UNCOMPLICATED.search(run.description(vague)) is not None
        action = run.policy.residual if by_kind or denies else run.policy.unspecified
        remove = action is Action.REMOVE
        if remove:
            # The specific code codes the same condition: it takes the unspecified one's
            # place, first-listed where that was (E11.22 for the E11.9 the A/P lists first).
            kept = _replace(kept, vague, specific)
            in_kept.discard(vague)
        run.record(
            UNSPECIFIED,
            [vague, specific],
            f"removed {vague}" if remove else "flagged",
            f"{vague} ({run.description(vague)}) beside the more specific {specific} "
            f"({run.description(specific)}) of the same {'kind' if by_kind else 'category'}.",
        )
    return kept


LEFT_OPEN = re.compile(
    r"\bunspecified(?:\s+(?:as\s+)?\w+)?|\bnot elsewhere classified\b|\bNOS\b|\([^)]*\)",
    re.IGNORECASE,
)
"""What a description leaves open ("unspecified organism", "not elsewhere classified") and its
nonessential words in parentheses: the rest is what a more specific code must also name."""
_COMPANION_NOTES = (NoteKind.CODE_FIRST, NoteKind.USE_ADDITIONAL_CODE, NoteKind.CODE_ALSO)


def _named_condition(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.B.9: "Multiple coding should not be used when the classification provides a
    # combination code that clearly identifies all of the elements documented in the
    # diagnosis." A code that leaves its kind open (unspecified, NEC) beside a code of another
    # category whose description names all it says is part of that code: I96 (gangrene NEC)
    # beside K35.31 (appendicitis with peritonitis and gangrene), G62.9 beside E11.42
    # (diabetic polyneuropathy). A pair a tabular note of either asks for stays (I50.- beside
    # I11.0, N18.- beside E11.22 and D63.1, OCG I.A.13), and a secondary neoplasm (C77-C79)
    # names no primary one. Symptoms: _named_symptom, whose policy this follows: CodiEsp's
    # annotators code both (D64.9 beside D61.9), and removing lost on their train notes.
    kept = list(codes)
    for vague in codes:
        if vague[0] in "RZVWXY" or not LEFT_OPEN.search(run.description(vague)):
            continue
        words = telling_words(LEFT_OPEN.sub(" ", run.description(vague)))
        if not words:
            continue
        combination = next(
            (
                c
                for c in kept
                if c[:3] != vague[:3]
                and c[0] not in "RZVWXY"
                and words <= telling_words(run.description(c))
                and _is_secondary(c) == _is_secondary(vague)
                and not _paired_by_notes(run, c, vague)
            ),
            None,
        )
        if combination is None:
            continue
        remove = run.policy.named_symptom is Action.REMOVE
        moved = not remove and kept.index(vague) < kept.index(combination)
        kept = _replace(kept, vague, combination) if remove else _ahead(kept, combination, vague)
        run.record(
            NAMED_CONDITION,
            [combination, vague],
            f"removed {vague}" if remove else "flagged",
            f"{combination} ({run.description(combination)}) names {vague} "
            f"({run.description(vague)}): the combination code alone."
            + _moved(moved, combination, vague),
        )
    return kept


def _paired_by_notes(run: _Run, first: str, second: str) -> bool:
    """Say whether a code-first, use-additional or code-also note of either names the other.

    The category is enough: E11.22's "use additional code to identify stage of chronic kidney
    disease (N18.1-N18.6)" pairs it with N18.9 too.
    """
    return any(
        any(_spans_category(ref, other[:3]) for ref in run.refs(note))
        for code, other in ((first, second), (second, first))
        for kind in _COMPANION_NOTES
        for note in run.notes(code, kind)
    )


def _is_secondary(code: str) -> bool:
    return "C77" <= code[:3] <= "C79"


def _spans_category(ref: CodeRef, category: str) -> bool:
    low = ref.first.replace(".", "")[:3]
    high = (ref.last or ref.first).replace(".", "")[:3]
    return low <= category <= high


def _laterality(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.B.13: when a side is documented, the unspecified-side code is not reported.
    kept = list(codes)
    in_kept = set(codes)
    # Only a code whose description is another's, sides aside, can be its unspecified side.
    same_text = _group(codes, lambda c: run.sides(c)[0])
    for vague in codes:
        sided = next(
            (
                c
                for c in same_text[run.sides(vague)[0]]
                if c in in_kept
                and c != vague
                and c[:3] == vague[:3]
                and _is_unspecified_side(run, vague, c)
            ),
            None,
        )
        if sided is None or vague not in in_kept:
            continue
        kept.remove(vague)
        in_kept.discard(vague)
        run.record(
            LATERALITY,
            [vague, sided],
            f"removed {vague}",
            f"{vague} ({run.description(vague)}) beside {sided} ({run.description(sided)}).",
        )
    return kept


def _encounter(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.19.a: the 7th character describes the encounter; one injury is either in
    # active treatment (A, B, C) or after it (D, E, F, G, H, J, K, M, N, P, Q, R), not both.
    kept: list[str] = []
    for code in codes:
        same = next((k for k in kept if _encounters_clash(k, code)), None)
        if same is None:
            kept.append(code)
            continue
        run.record(
            ENCOUNTER,
            [same, code],
            f"removed {code}",
            f"{same} and {code} are the same injury with an initial and a subsequent "
            f"encounter; kept {same}, ranked higher.",
        )
    return kept


_INITIAL, _SUBSEQUENT = set("ABC"), set("DEFGHJKMNPQR")


def _encounters_clash(first: str, second: str) -> bool:
    a, b = first.replace(".", ""), second.replace(".", "")
    if len(a) != 7 or len(b) != 7 or a[:6] != b[:6] or a[0] not in "ST":
        return False
    return {a[6], b[6]} & _INITIAL != set() and {a[6], b[6]} & _SUBSEQUENT != set()


# -- Sequencing ----------------------------------------------------------------------------


def _applies(run: _Run, note: Note, code: str) -> bool:
    # A list's heading can limit it: T36-T50's "Code first, for adverse effects, the nature
    # of the adverse effect" concerns adverse-effect codes only, not poisonings (OCG
    # I.C.19.e.5.a-b).
    if "adverse effect" in note.heading.lower():
        return "adverse effect" in run.description(code).lower()
    return True


def _code_first(run: _Run, codes: list[str]) -> list[str]:
    ordered = list(codes)
    present = _SortedCodes(codes)
    for code in codes:
        notes = [n for n in run.notes(code, NoteKind.CODE_FIRST) if _applies(run, n, code)]
        named = {c for n in notes for ref in run.refs(n) for c in present.covered(ref)}
        for etiology in [c for c in ordered if c != code and c in named]:
            if ordered.index(etiology) > ordered.index(code):
                ordered.remove(etiology)
                ordered.insert(ordered.index(code), etiology)
                run.record(CODE_FIRST, [etiology, code], f"moved {etiology} before {code}")
    return ordered


def is_manifestation(icd: IcdResources, code: str) -> bool:
    """Say whether a code is a manifestation code: "in diseases classified elsewhere"."""
    # OCG I.A.13: manifestation codes have "in diseases classified elsewhere" in their title
    # and a "code first" note for the underlying disease.
    lineage = [icd.lookup(code), *icd.ancestors(code)]
    return any("classified elsewhere" in c.description.lower() for c in lineage)


def _manifestation(run: _Run, codes: list[str]) -> list[str]:
    ordered = list(codes)
    for code in codes:
        if not run.is_manifestation(code):
            continue
        others = [c for c in ordered if c != code and not run.is_manifestation(c)]
        if not others:
            run.record(
                MANIFESTATION,
                [code],
                "flagged",
                f"{code} ({run.description(code)}) is a manifestation code: it is never "
                "reported alone; add the underlying condition's code first.",
            )
        elif ordered.index(code) == 0:
            ordered.remove(code)
            ordered.insert(ordered.index(others[0]) + 1, code)
            run.record(
                MANIFESTATION,
                [others[0], code],
                f"moved {code} after {others[0]}",
                f"{code} is a manifestation code: never first-listed.",
            )
    return ordered


def _move_first_after(
    run: _Run, codes: list[str], secondary: Callable[[str], bool], rule: str, why: str
) -> list[str]:
    if not codes or not secondary(codes[0]):
        return codes
    principal = next((c for c in codes if not secondary(c)), None)
    if principal is None:
        return codes
    ordered = [principal, *[c for c in codes if c != principal]]
    run.record(rule, [principal, codes[0]], f"moved {principal} before {codes[0]}", why)
    return ordered


def _external_cause(run: _Run, codes: list[str]) -> list[str]:
    return _move_first_after(
        run,
        codes,
        lambda c: c[0] in "VWXY",
        EXTERNAL_CAUSE,
        "an external cause code is never a principal or first-listed diagnosis.",
    )


def _is_cause_or_circumstance(code: str) -> bool:
    """V00-Y38 (cause and intent) and Y90-Y99 (place, activity, status), not Y62-Y84 (care)."""
    return code[0] in "VWX" or (code[0] == "Y" and not "Y39" < code[:3] < "Y90")


def _cause_alone(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.20.a.1: an external cause code is "used with any code ... that represents a
    # health condition due to an external cause"; I.C.20.a.2: its 7th character "should match
    # the 7th character of the code assigned for the associated injury or condition". A set
    # with no injury, poisoning or other consequence of an external cause (S00-T88) has no
    # such code: the cause came from a word ("exposure", "crushed") and is removed. A condition
    # of another chapter due to an external cause (a heart attack during exertion) loses its
    # cause here, recorded under considered for the coder to add back.
    if any(c[0] in "ST" for c in codes):
        return codes
    alone = [c for c in codes if _is_cause_or_circumstance(c)]
    for code in alone:
        run.record(
            CAUSE_ALONE,
            [code],
            f"removed {code}",
            f"{code} ({run.description(code)}): no injury, poisoning or other condition "
            "of an external cause (S00-T88) is coded for it to describe.",
        )
    return [c for c in codes if c not in alone]


# Z categories of status and history (OCG I.C.21.c.3-4), e.g. Z66 do not resuscitate, Z79
# long-term drug therapy, Z86-Z87 personal history: they describe the patient, not the
# condition treated, and follow it.
STATUS_CATEGORIES = frozenset(["Z66", "Z67", "Z68", "Z79", *(f"Z{n}" for n in range(80, 100))])


def _status(run: _Run, codes: list[str]) -> list[str]:
    return _move_first_after(
        run,
        codes,
        lambda c: c[:3] in STATUS_CATEGORIES or c[0] in "VWXY",
        STATUS,
        "a status or history code describes the patient, not the condition treated.",
    )


def _symptom_first(run: _Run, codes: list[str]) -> list[str]:
    # OCG II.A: a chapter 18 code is not principal when a related definitive diagnosis (of
    # the same body system) is coded; the diagnosis goes first. A symptom the provider states
    # as a problem of its own has no established diagnosis (OCG IV.D) and may lead.
    if not codes or run.chapter_of(codes[0]).number != 18 or codes[0] in run.policy.own_problems:
        return codes
    systems = _body_systems(run.icd.block_of(codes[0]).description)
    return _move_first_after(
        run,
        codes,
        lambda c: c[0] in "RZVWXY" or not systems & _body_systems(run.chapter_of(c).description),
        SYMPTOM_FIRST,
        f"{codes[0]} ({run.description(codes[0])}) is a symptom of the diagnosis's body system.",
    )


def _body_systems(text: str) -> set[str]:
    # "Symptoms and signs involving the circulatory and respiratory systems (R00-R09)" ->
    # {"circulatori", "respiratori"}: stems, so "behavior" meets "Behavioral".
    return {w for w in content_words(text.split("(")[0]) if len(w) > 3} - TITLE_WORDS


def _integral(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.B.4-I.B.5: signs and symptoms routinely associated with a confirmed diagnosis are
    # not coded. The release tells which body system a chapter 18 block concerns; whether the
    # symptom is routine for the diagnosis is a coder's call (I.B.6), so the policy either
    # removes it (the decision, recorded) or flags it for review. A symptom the provider
    # states as a problem of its own, no diagnosis in its statement, is neither; nor is one
    # the classification says to code with its cause (I.B.5: "unless otherwise instructed").
    def same_system(symptom: str) -> Callable[[str], bool]:
        if symptom in run.policy.own_problems or _coded_with_its_cause(run, symptom):
            return lambda _code: False
        systems = _body_systems(run.icd.block_of(symptom).description)
        return lambda c: (
            bool(systems & _body_systems(run.chapter_of(c).description))
            and not _paired_by_notes(run, symptom, c)
        )

    def detail(symptom: str, diagnosis: str) -> str:
        return (
            f"{symptom} ({run.description(symptom)}) beside {diagnosis} "
            f"({run.description(diagnosis)}) of the same body system: not coded when "
            "routinely associated with the diagnosis (I.B.5), coded when not (I.B.6)."
        )

    return _symptoms_beside(run, codes, same_system, INTEGRAL, run.policy.integral, detail)


_UNDERLYING = re.compile(r"\b(?:underlying|causal)\b", re.IGNORECASE)


def _coded_with_its_cause(run: _Run, symptom: str) -> bool:
    """Say whether the symptom's own notes tell when its cause makes it part of a diagnosis.

    R35 (polyuria): "Code first, if applicable, any causal condition, such as: enlarged
    prostate": polyuria is coded beside its cause. R31 (hematuria): Excludes1 "hematuria
    included with underlying conditions, such as: acute cystitis with hematuria (N30.01)": it
    is part of a condition whose code includes it, which the Excludes1 rule applies; beside
    any other it is coded. Either way the classification decides, not the body system.
    """
    notes = run.notes(symptom, NoteKind.CODE_FIRST) + run.notes(symptom, NoteKind.EXCLUDES1)
    return any(
        not note.origin.startswith("Chapter") and _UNDERLYING.search(note.heading or note.text)
        for note in notes
    )


def _named_symptom(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.B.9: "Assign only the combination code when that code fully identifies the
    # diagnostic conditions involved": E11.65 (type 2 diabetes with hyperglycemia) names the
    # hyperglycemia of R73.9, M25.551 (pain in right hip) the pain of R52. A symptom every word
    # of which a diagnosis's description states is that diagnosis's, not a code beside it.
    def naming(symptom: str) -> Callable[[str], bool]:
        words = telling_words(run.description(symptom))
        return lambda c: bool(words) and words <= telling_words(run.description(c))

    def detail(symptom: str, diagnosis: str) -> str:
        return (
            f"{diagnosis} ({run.description(diagnosis)}) names {symptom} "
            f"({run.description(symptom)}): the combination code alone."
        )

    policy = run.policy.named_symptom
    return _symptoms_beside(run, codes, naming, NAMED_SYMPTOM, policy, detail)


def _symptoms_beside(
    run: _Run,
    codes: list[str],
    explained_by: Callable[[str], Callable[[str], bool]],
    rule: str,
    action: Action,
    detail: Callable[[str, str], str],
) -> list[str]:
    """Remove or flag each chapter 18 code beside a diagnosis that explains it.

    Args:
        run: The run of the rules, whose record the check joins.
        codes: The code set.
        explained_by: For a symptom, the test of a diagnosis (not R, Z or an external cause).
        rule: The rule recorded.
        action: Remove the symptom, or flag it.
        detail: The record's detail for a symptom and its diagnosis.
    """
    kept = list(codes)
    for symptom in (c for c in codes if run.chapter_of(c).number == 18):
        explains = explained_by(symptom)
        diagnosis = next((c for c in kept if c[0] not in "RZVWXY" and explains(c)), None)
        if diagnosis is None:
            continue
        remove = action is Action.REMOVE
        moved = not remove and kept.index(symptom) < kept.index(diagnosis)
        kept = [c for c in kept if c != symptom] if remove else _ahead(kept, diagnosis, symptom)
        run.record(
            rule,
            [diagnosis, symptom],
            f"removed {symptom}" if remove else "flagged",
            detail(symptom, diagnosis) + _moved(moved, diagnosis, symptom),
        )
    return kept


def _use_additional(run: _Run, codes: list[str]) -> list[str]:
    present = _SortedCodes(codes)
    for code in codes:
        groups: dict[tuple[str, str], list[Note]] = {}
        for note in run.notes(code, NoteKind.USE_ADDITIONAL_CODE):
            if note.origin.startswith("Chapter") or not run.refs(note):
                continue
            if "if applicable" in note.full_text.lower():
                continue  # conditional by its own words: nothing to flag when absent
            # Items under one heading are alternatives: any one of them satisfies the list.
            key = (note.origin, note.heading or note.text)
            groups.setdefault(key, []).append(note)
        for (origin, _heading), notes in groups.items():
            named = (c for n in notes for ref in run.refs(n) for c in present.covered(ref))
            if any(other != code for other in named):
                continue
            listed = "; ".join(n.full_text if i == 0 else n.text for i, n in enumerate(notes))
            run.record(
                USE_ADDITIONAL,
                [code],
                "flagged",
                f"{code} ({origin}): use additional code: {listed} - none in the set; "
                "add one if documented.",
            )
    return codes


_ANTIDIABETICS = ("Z79.4", "Z79.84", "Z79.85")
_DIABETES = ("E08", "E09", "E10", "E11", "E13", "O24")


def _antidiabetic_use(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.4.a.3, I.C.4.a.6.a: a Z79 code identifies how type 2 or secondary diabetes is
    # controlled, and E08, E09, E11, E13 (O24.1, O24.3 ...) ask for it by a "use additional
    # code" note; type 1 (E10, O24.0) has none, its insulin being the disease's treatment, and
    # I.C.15.i: "should not be assigned with codes from subcategory O24.4". Beside a diabetes
    # code none of whose notes names it, the drug code goes; with no diabetes code it stays.
    drugs = [c for c in codes if c in _ANTIDIABETICS]
    diabetes = [c for c in codes if c[:3] in _DIABETES]
    if not drugs or not diabetes:
        return codes
    asked = _SortedCodes(drugs)
    named = {
        drug
        for code in diabetes
        for note in run.notes(code, NoteKind.USE_ADDITIONAL_CODE)
        for ref in run.refs(note)
        for drug in asked.covered(ref)
    }
    for drug in (d for d in drugs if d not in named):
        run.record(
            ANTIDIABETIC_USE,
            [diabetes[0], drug],
            f"removed {drug}",
            f"{drug} ({run.description(drug)}) beside {', '.join(diabetes)}: no note of "
            "theirs asks for it.",
        )
    return [c for c in codes if c not in drugs or c in named]


_TREATMENT_ENCOUNTERS = ("Z51.0", "Z51.11", "Z51.12")
_ENCOUNTER_REASONS = ("Z12.11", "Z00.121", "Z00.129", "Z38.00", "Z38.01")
"""The encounter codes tools/companions.py pools only where the note states the visit is
for them ("Indication: screening colonoscopy", "well child exam", "born in this hospital")."""


def _encounter_first(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.21.c.5: "A screening code may be a first-listed code if the reason for the visit
    # is specifically the screening exam"; I.C.21.c.15: Z00 and Z38 "may only be reported as
    # the principal/first-listed diagnosis" (I.C.16.a.2: Z38 on the newborn's birth record).
    reason = next((c for c in codes if c in _ENCOUNTER_REASONS), None)
    if reason is None or codes[0] == reason:
        return codes
    run.record(ENCOUNTER_FIRST, [reason, codes[0]], f"moved {reason} before {codes[0]}")
    return [reason, *[c for c in codes if c != reason]]


def _treatment_first(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.2.e.2: an encounter chiefly for chemotherapy, immunotherapy or radiation therapy
    # lists Z51.0 / Z51.1- first, the neoplasm after it.
    reason = next((c for c in codes if c in _TREATMENT_ENCOUNTERS), None)
    if reason is None or codes[0] in _TREATMENT_ENCOUNTERS:
        return codes
    run.record(TREATMENT_FIRST, [reason, codes[0]], f"moved {reason} before {codes[0]}")
    return [reason, *[c for c in codes if c != reason]]


def _is_maternal(code: str) -> bool:
    """Say whether a code belongs on the mother's record only.

    Chapter 15, Z3A weeks of gestation and Z37 outcome of delivery (their Tabular notes: "only
    on the maternal record", "on the mother's record").
    """
    return code[0] == "O" or code.startswith(("Z3A", "Z37"))


def _is_newborn(code: str) -> bool:
    """Say whether a code belongs on the newborn's record only: chapter 16 and Z38."""
    return code[0] == "P" or code.startswith("Z38")


def _record_of_one(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.16.a.1: chapter 16 codes "are never for use on the maternal record. Codes from
    # Chapter 15, the obstetric chapter, are never permitted on the newborn record." The record
    # is the one the set holds more codes of (a delivery note's "Newborn" reaches Z38.2, a
    # nursery note's "spontaneous vaginal delivery" O80), the first-listed code's on a tie.
    maternal = [c for c in codes if _is_maternal(c)]
    newborn = [c for c in codes if _is_newborn(c)]
    if not maternal or not newborn:
        return codes
    lead = 1 if _is_newborn(codes[0]) else -1 if _is_maternal(codes[0]) else 0
    balance = (len(newborn) - len(maternal)) or lead
    if balance == 0:
        return codes
    whose, kept, foreign = (
        ("the newborn's", newborn, maternal) if balance > 0 else ("the mother's", maternal, newborn)
    )
    for code in foreign:
        detail = f"{', '.join(kept)} make this {whose} record, where {code} is never used"
        run.record(RECORD_OF_ONE, [kept[0], code], f"removed {code}", detail)
    return [c for c in codes if c not in foreign]


def _obstetric_first(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.15.a.1: "Chapter 15 codes have sequencing priority over codes from other
    # chapters"; Z33.1 (pregnancy incidental) takes their place when the provider says so.
    obstetric = next((c for c in codes if c[0] == "O"), None)
    if obstetric is None or codes[0][0] == "O" or "Z33.1" in codes or _is_newborn(codes[0]):
        return codes
    run.record(OBSTETRIC_FIRST, [obstetric, codes[0]], f"moved {obstetric} before {codes[0]}")
    return [obstetric, *[c for c in codes if c != obstetric]]


_POISONING = re.compile(r"^T(3[6-9]|4\d|50)\.[0-9A-Z]{2}[1-4]")
"""T36-T50 with a poisoning intent (accidental, self-harm, assault, undetermined) as its 6th
character; 5 is an adverse effect, 6 underdosing."""


def _poisoning_first(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.19.e.5.b: "first assign the appropriate code from categories T36-T50 ... Use
    # additional code(s) for all manifestations of poisonings."
    poisoning = next((c for c in codes if _POISONING.match(c)), None)
    if poisoning is None or _POISONING.match(codes[0]):
        return codes
    run.record(POISONING_FIRST, [poisoning, codes[0]], f"moved {poisoning} before {codes[0]}")
    return [poisoning, *[c for c in codes if c != poisoning]]


def _covid_first(run: _Run, codes: list[str]) -> list[str]:
    # OCG I.C.1.g.1.c: "When the reason for the encounter/admission is a respiratory
    # manifestation of COVID-19, assign code U07.1, COVID-19, as the principal/first-listed
    # diagnosis"; sepsis and obstetric codes keep their own sequencing (I.C.1.g.1.b).
    if "U07.1" not in codes or not codes[0].startswith("J"):
        return codes
    run.record(COVID_FIRST, ["U07.1", codes[0]], f"moved U07.1 before {codes[0]}")
    return ["U07.1", *[c for c in codes if c != "U07.1"]]


RULES: tuple[tuple[str, Rule], ...] = (
    ("excludes1", _excludes1),
    ("combination", _hypertension),
    ("unspecified", _unspecified),
    ("named_condition", _named_condition),
    ("laterality", _laterality),
    ("encounter", _encounter),
    ("code_first", _code_first),
    ("manifestation", _manifestation),
    ("external_cause", _external_cause),
    ("cause_alone", _cause_alone),
    ("status", _status),
    ("symptom_first", _symptom_first),
    ("named_symptom", _named_symptom),
    ("integral", _integral),
    ("antidiabetic_use", _antidiabetic_use),
    ("use_additional", _use_additional),
    ("poisoning_first", _poisoning_first),
    ("covid_first", _covid_first),
    ("encounter_first", _encounter_first),
    ("treatment_first", _treatment_first),
    ("record_of_one", _record_of_one),
    ("obstetric_first", _obstetric_first),
)
"""The rules after the billable and duplicate checks, in the order they run; names for
``CheckPolicy.disabled``."""
