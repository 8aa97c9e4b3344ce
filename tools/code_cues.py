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
from dataclasses import dataclass

from tools.words import letter_words

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
SIDES = {"right": {"right"}, "left": {"left"}, "bilateral": {"bilateral", "both"}}


def described_sides(description: str) -> frozenset[str]:
    """Return the sides a code's description names ("right", "left", "bilateral")."""
    return frozenset(letter_words(description) & SIDES.keys())


_SIDE_ABBREVIATION = re.compile(
    r"\b(?:([LR])|([LlRr])t\.?)\s+(?!(?:via|and|per|the|for|with|from|over|each|min|total|"
    r"bolus|fluids?|water|saline|oxygen|nasal|lactated)\b)(?=[a-z]{3,})"
)


def spelled_sides(text: str) -> str:
    """Spell out the sides notes abbreviate: "L breast" -> "left breast", "rt knee" too."""
    return _SIDE_ABBREVIATION.sub(
        lambda m: "left " if (m.group(1) or m.group(2)).upper() == "L" else "right ", text
    )


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
    named = letter_words(description)
    for side, cues in SIDES.items():
        if side in named and not words & cues:
            return f"the {side} side is not stated (OCG I.B.13)"
    return None


# -- What the whole note states: the specifics a rival code must agree with ----------------

_WEEKS_RE = re.compile(
    r"\b(\d{1,2})(?:\s*w\s*\d\s*d\b|(?:\s*(?:\+|and)?\s*\d\s*(?:/\s*7)?)?[\s-]*(?:weeks?|wks?|w\b))",
    re.IGNORECASE,
)
_CKD_RE = re.compile(
    r"\b(?:ckd|chronic kidney disease|chronic renal (?:disease|failure|insufficiency))"
    r"[\s,(]*(?:stage|stg)?\s*(iv|v|i{1,3}|[1-5])\s*([ab])?\b",
    re.IGNORECASE,
)
_ESRD_RE = re.compile(r"\b(?:esrd|end[- ]stage renal|end[- ]stage kidney)\b", re.IGNORECASE)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_DIABETES_TYPES = (  # (category, words that state it); E11 is the index's default (E11.9)
    ("E10", re.compile(r"\b(?:type (?:1|i)\b|t1dm|iddm|juvenile)", re.IGNORECASE)),
    ("E08", re.compile(r"\bdiabetes[^.]{0,40}\bdue to\b|\bsecondary diabetes", re.IGNORECASE)),
    ("E09", re.compile(r"\b(?:drug|steroid|chemical)[- ]induced (?:diabetes|hyperglyc)", re.I)),
    ("E13", re.compile(r"\bother specified diabetes|\bsecondary diabetes|\bmody\b", re.I)),
)
_TYPE_2_RE = re.compile(r"\b(?:type (?:2|ii)\b|t2dm|niddm)", re.IGNORECASE)
FORMER_TOBACCO = (
    r"\b(?:former|ex-?|previous|past|remote)[- ]?(?:smoker|smoking|tobacco)|"
    r"\bquit (?:smoking|tobacco|cigarettes)|\bsmoked\b[^.\n]{0,40}\b(?:quit|stopped)\b"
)
CURRENT_CIGARETTES = (
    r"\b(?:current(?:ly)? (?:smoker|smokes)|active smoker|(?:still )?smokes\b[^.\n]{0,20}"
    r"(?:cigarettes|pack|ppd|daily|a day)|\d+(?:\.\d+)?\s*(?:ppd|packs? (?:per|a) day)|"
    r"cigarette smoker)"
)
OTHERS_SMOKING = re.compile(
    r"\b(?:dad|mom|father|mother|parents?|brother|sister|husband|wife|spouse|partner|"
    r"household|caregivers?|grand\w+|roommate)\b[^.\n]{0,30}$",
    re.IGNORECASE,
)
"""Words before a smoking phrase that make it someone else's: exposure, not the patient's use."""
NEGATION_RE = re.compile(r"\b(?:no|not|denies|denied|never|negative for|without)\b", re.I)
"""A word that negates what follows it in its clause."""
_FORMER_RE = re.compile(FORMER_TOBACCO, re.IGNORECASE)
_CURRENT_RE = re.compile(CURRENT_CIGARETTES, re.IGNORECASE)
PREGNANCY_RE = re.compile(
    r"\b(?:(?i:pregnan\w*|gestation\w*|gravida|obstetric|labou?r|\w+partum)|G\dP\d|EGA)\b"
)
_BMI_RE = re.compile(r"\bBMI\b[^0-9\n]{0,12}(\d{2}(?:\.\d+)?)(?!\s*(?:st|nd|rd|th)\b)", re.I)
_PERCENTILE_RE = re.compile(
    r"\bBMI\b(?:[^.\n]|\.\d){0,40}?\b(\d{1,2})(?:st|nd|rd|th) percentile", re.I
)
_OF_95TH_RE = re.compile(r"\b(\d{3})\s*% of the 95th percentile", re.I)
_AGE_RE = re.compile(
    r"\b(\d{1,3})[- ]?(?:yo\b|y/o|y\.o\.|years?[- ]old|yr[- ]old|-year-old|(?:M|F)\b)",
)
_WEIGHT_DIAGNOSIS_RE = re.compile(
    r"\b(?:obes\w*|overweight|underweight|malnutrition|malnourish\w*|cachexi\w*|anorexi\w*)",
    re.IGNORECASE,
)
UNSPECIFIED_SIDE_RE = re.compile(
    r"\bunspecified (?:side|ear|eye|breast|kidney|lung|ovary|testis|upper limb|lower limb|"
    r"(?:upper |lower )?(?:arm|leg|hand|foot|knee|hip|shoulder|elbow|wrist|ankle|thigh))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class NoteCues:
    """The specifics a note states once, read before any rival code is weighed."""

    words: frozenset[str]
    weeks: frozenset[int]
    ckd_stages: frozenset[str]
    """N18 codes the stated stages give (N18.31 for "CKD stage 3a", N18.6 for ESRD)."""
    diabetes: frozenset[str]
    """Diabetes categories the note states by type (E10, E11, E08, E09, E13)."""
    tobacco: str = ""
    """The patient's tobacco status the note states: "current" (cigarettes), "former" or ""."""
    bmi: str = ""
    """The Z68 code the stated BMI gives, "" when none is stated."""
    bmi_reportable: bool = False
    """Whether a BMI may be coded: a weight diagnosis stated, no pregnancy (OCG I.C.21.c.3)."""
    adult: bool = True
    """Whether the patient is 20 or older (or of no stated age): adult BMI codes, not pediatric."""

    @classmethod
    def read(cls, note: str) -> NoteCues:
        """Read a note's cues."""
        stages = {_ckd_code(m.group(1), m.group(2)) for m in _CKD_RE.finditer(note)}
        if _ESRD_RE.search(note):
            stages.add("N18.6")
        diabetes = {category for category, cue in _DIABETES_TYPES if cue.search(note)}
        if _TYPE_2_RE.search(note) or not diabetes:
            diabetes.add("E11")
        return cls(
            letter_words(spelled_sides(note), min_chars=3),
            frozenset(int(m.group(1)) for m in _WEEKS_RE.finditer(note)),
            frozenset(stages),
            frozenset(diabetes),
            _tobacco(note),
            bmi_code(note) or "",
            bmi_reportable(note),
            _is_adult(note),
        )


def bmi_reportable(note: str) -> bool:
    """Say whether a BMI may be coded: a weight diagnosis stated, no pregnancy (I.C.21.c.3)."""
    return bool(_WEIGHT_DIAGNOSIS_RE.search(note)) and not PREGNANCY_RE.search(note)


def _is_adult(note: str) -> bool:
    age = _AGE_RE.search(note)
    return age is None or int(age.group(1)) >= 20


def bmi_code(note: str) -> str | None:
    """Return the Z68 code of the BMI a note states, or None.

    Adult codes are for persons 20 or older (an age unstated reads as an adult's), pediatric
    ones, by percentile, for ages 2-19 (Z68's note); of several values the most severe is
    coded (OCG I.C.21.c.3): the highest, or the lowest where underweight is the diagnosis.
    """
    if not _is_adult(note):
        return _pediatric_bmi(note)
    values = [float(m.group(1)) for m in _BMI_RE.finditer(note)]
    if not values:
        return None
    low = re.search(r"\b(?:underweight|malnutrition|malnourish|cachexi|anorexi)", note, re.I)
    return _adult_bmi(min(values) if low else max(values))


def _adult_bmi(value: float) -> str:
    if value < 20:
        return "Z68.1"
    if value < 40:
        return f"Z68.{int(value)}"
    for limit, code in ((45, "Z68.41"), (50, "Z68.42"), (60, "Z68.43"), (70, "Z68.44")):
        if value < limit:
            return code
    return "Z68.45"


def _pediatric_bmi(note: str) -> str | None:
    found = _PERCENTILE_RE.search(note)
    if found is None:
        return None
    percentile = int(found.group(1))
    share = _OF_95TH_RE.search(note)
    if share and int(share.group(1)) >= 120:
        return "Z68.56" if int(share.group(1)) >= 140 else "Z68.55"
    for limit, code in ((5, "Z68.51"), (85, "Z68.52"), (95, "Z68.53")):
        if percentile < limit:
            return code
    return "Z68.54"


def words_before(match: re.Match[str]) -> str:
    """Return the words before a match in its sentence (after a line, sentence or ";" break)."""
    text = match.string
    start = max(text.rfind(end, 0, match.start()) for end in ("\n", ". ", "; ")) + 1
    return text[start : match.start()]


def patients_own(match: re.Match[str]) -> bool:
    """Say whether a smoking phrase is the patient's: not negated, not a household member's."""
    before = words_before(match)
    return OTHERS_SMOKING.search(before) is None and NEGATION_RE.search(before) is None


def _tobacco(note: str) -> str:
    if any(patients_own(m) for m in _CURRENT_RE.finditer(note)):
        return "current"
    return "former" if any(patients_own(m) for m in _FORMER_RE.finditer(note)) else ""


def _ckd_code(stage: str, sub: str | None) -> str:
    number = _ROMAN.get(stage.lower(), stage)
    if number == "3":
        return {"a": "N18.31", "b": "N18.32"}.get((sub or "").lower(), "N18.30")
    return f"N18.{number}"


def _gestation_code(weeks: int) -> str:
    if weeks < 8:
        return "Z3A.01"
    return "Z3A.49" if weeks > 42 else f"Z3A.{weeks:02d}"


def note_contradicts(code: str, description: str, cues: NoteCues, *, seventh: bool) -> str | None:
    """Say how the note contradicts a candidate's specifics, or None when it does not.

    The number (weeks of gestation, CKD stage), the side, the encounter, the intent and the
    type of diabetes come from the note, never from the model's choice among rivals.
    """
    if code.startswith("Z3A."):
        # The encounter's weeks are the latest the note states ("GDM at 27 wks ... 39w2d").
        stated = {_gestation_code(max(cues.weeks))} if cues.weeks else set()
        if code != "Z3A.00" and code not in stated:
            found = ", ".join(sorted(stated)) or "no week"
            return f"the note states {found} of gestation, not {code} (OCG I.C.21.c.11)"
        if code == "Z3A.00" and stated:
            return "the note states the weeks of gestation (OCG I.C.21.c.11)"
    if code == "Z33.1" and "incidental" not in cues.words:
        # OCG I.C.15.a.1: Z33.1 only "Should the provider document that the pregnancy is
        # incidental to the encounter"; the index reaches it from "pregnancy" alone.
        return "the note does not state the pregnancy is incidental (OCG I.C.15.a.1)"
    trimester = _trimester_contradiction(code, description, cues)
    if trimester is not None:
        return trimester
    if code.startswith("N18.") and cues.ckd_stages and code not in cues.ckd_stages:
        stages = ", ".join(sorted(cues.ckd_stages))
        return f"the note states the CKD stage of {stages}, not {code} (OCG I.C.14.a.1)"
    if code[:3] in ("E08", "E09", "E10", "E11", "E13") and code[:3] not in cues.diabetes:
        return f"the note does not state the type of diabetes of {code[:3]} (OCG I.C.4.a.2)"
    tobacco = _tobacco_contradiction(code, cues.tobacco)
    if tobacco is not None:
        return tobacco
    if code.startswith("Z68"):
        return _bmi_contradiction(code, cues)
    if UNSPECIFIED_SIDE_RE.search(description) and cues.words & {"right", "left", "bilateral"}:
        return "the note states a side, the code an unspecified one (OCG I.B.13)"
    return unsupported_axis(code, set(cues.words), seventh=seventh, description=description)


_TRIMESTER_RE = re.compile(r"\b(first|second|third|unspecified) trimester\b", re.IGNORECASE)
_TRIMESTERS = {"first": 1, "second": 2, "third": 3}


def _trimester_contradiction(code: str, description: str, cues: NoteCues) -> str | None:
    # OCG I.C.15.a.3: "The provider's documentation of the number of weeks may be used to
    # assign the appropriate code identifying the trimester"; chapter 15's timeframes: first
    # less than 14 weeks 0 days, second 14 weeks 0 days to less than 28, third from 28.
    named = _TRIMESTER_RE.search(description)
    if code[0] != "O" or named is None or not cues.weeks:
        return None
    weeks = max(cues.weeks)
    stated = 1 if weeks < 14 else 2 if weeks < 28 else 3
    if _TRIMESTERS.get(named.group(1).lower()) == stated:
        return None
    return f"{weeks} weeks of gestation are trimester {stated} (OCG I.C.15.a.3)"


def note_states(code: str, cues: NoteCues) -> str | None:
    """Say what the note states that makes a candidate its code, or None when nothing does.

    A status the note states in so many words decides its code whatever the model's P(yes):
    the tobacco status ("former smoker, quit 2015": Z87.891, OCG I.C.21.c.4; "1 ppd": F17.210),
    the CKD stage (N18.31 for "CKD stage 3a", OCG I.C.14.a.1) and the BMI beside a weight
    diagnosis (OCG I.C.21.c.3). The weeks of gestation are left to the model: a newborn's
    "born at 39 weeks" states them too.
    """
    if code == "Z87.891" and cues.tobacco == "former":
        return "the note states former tobacco use (OCG I.C.21.c.4)"
    if code == "F17.210" and cues.tobacco == "current":
        return "the note states current cigarette smoking (index: Smoker, see Dependence, nicotine)"
    if code.startswith("N18.") and code in cues.ckd_stages:
        return f"the note states the CKD stage of {code} (OCG I.C.14.a.1)"
    if code.startswith("Z68") and code == cues.bmi and _bmi_contradiction(code, cues) is None:
        return f"the note states a BMI of {code} beside a weight diagnosis (OCG I.C.21.c.3)"
    return None


def _tobacco_contradiction(code: str, status: str) -> str | None:
    # OCG I.C.21.c.4: a history code is for a condition that no longer exists; Z87.891
    # excludes current nicotine dependence (F17.2-).
    if status == "former" and code.startswith("F17.2"):
        return "the note states former tobacco use (Z87.891), not current dependence"
    if status == "current" and code == "Z87.891":
        return "the note states current smoking (F17.21-), not a history (OCG I.C.21.c.4)"
    if status == "current" and code.startswith("F17.2") and not code.startswith("F17.21"):
        return "the note states cigarettes: F17.21- (OCG I.B.9)"
    return None


def _bmi_contradiction(code: str, cues: NoteCues) -> str | None:
    if not cues.bmi_reportable:
        return (
            "a BMI is coded only beside a weight diagnosis the provider states, never in "
            "pregnancy (OCG I.C.21.c.3)"
        )
    if cues.bmi and code != cues.bmi:
        return f"the note's BMI gives {cues.bmi}, not {code} (OCG I.C.21.c.3)"
    if cues.adult != (code[:5] != "Z68.5"):
        age = "20 or older" if cues.adult else "2-19"
        return f"the patient is {age}: Z68's {'adult' if cues.adult else 'pediatric'} codes"
    return None
