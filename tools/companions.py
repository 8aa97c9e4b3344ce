"""The codes a coder adds beside the conditions: targeted look-ups the other lanes never make.

A coder who codes a chemotherapy admission lists Z51.11 first; who codes an injury adds its
external causes; who reads "use additional code to identify ... insulin use" looks for it in
the note. The mention, walk and sentence lanes search what the note names as conditions, so
these never come up, or come up below the verifier's cut. Each companion here is a rule: the
words that document it, the code or the index search they lead to, and the instruction that
asks for it. What a rule finds is a candidate like any other: the verifier decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from icd_resources import IndexSource
from tools.code_cues import (
    CURRENT_CIGARETTES,
    FORMER_TOBACCO,
    NEGATION_RE,
    PREGNANCY_RE,
    bmi_code,
    bmi_reportable,
    patients_own,
    words_before,
)


@dataclass(frozen=True, slots=True)
class Companion:
    """A code the note's words document, and the instruction that asks for it."""

    code: str
    pattern: re.Pattern[str]
    why: str
    current_use: bool = False
    """Whether the words must name a drug the patient takes now (OCG I.C.21.c.3)."""


def _rule(code: str, pattern: str, why: str, *, current_use: bool = False) -> Companion:
    return Companion(code, re.compile(pattern, re.IGNORECASE), why, current_use)


_DRUG_WORDS = {
    "Z79.4": "insulin|glargine|lantus|humalog|novolog|lispro|aspart|detemir|levemir|degludec",
    "Z79.84": "metformin|glipizide|glyburide|glimepiride|sitagliptin|januvia|pioglitazone|"
    "empagliflozin|jardiance|dapagliflozin|farxiga|semaglutide|liraglutide",
    "Z79.01": "warfarin|coumadin|apixaban|eliquis|rivaroxaban|xarelto|dabigatran|edoxaban",
    "Z79.02": "clopidogrel|plavix|ticagrelor|brilinta|prasugrel",
    "Z79.82": r"aspirin|asa 81",
}

# What states the encounter's purpose: a verb of coming for care, or the note's own heading for
# it ("Reason for visit: C3D1 adjuvant chemotherapy").
_ENCOUNTER_FOR = (
    r"(?:\b(?:admitted|presents?|here|scheduled|arrives?|encounter|returns?)\b|"
    r"\breason for (?:visit|admission|encounter)\s*:)"
)

COMPANIONS: tuple[Companion, ...] = (
    _rule(
        "Z51.11",
        _ENCOUNTER_FOR + r"[^.\n]{0,50}"
        r"\b(?:chemotherapy|chemo|cycle \d+|C\d+D\d+)\b",
        "Encounter for chemotherapy, first-listed (OCG I.C.2.e.2)",
    ),
    _rule(
        "Z51.0",
        # A course of radiation is counted in fractions: "Fraction 12 of 20" is today's one.
        r"(?:" + _ENCOUNTER_FOR + r"[^.\n]{0,50}"
        r"\b(?:radiation|radiotherapy|xrt)\b|\bfraction \d+ of \d+\b)",
        "Encounter for radiation therapy, first-listed (OCG I.C.2.e.2)",
    ),
    # The encounter's own reason, first-listed by tools/code_checks.py: a screening the visit
    # is for (OCG I.C.21.c.5), a routine child exam (I.C.21.c.12: what it finds is coded after
    # it), the birth episode on the newborn's record (I.C.16.a.2).
    _rule(
        "Z12.11",
        r"(?:\bindications?\s*:|\breason for (?:visit|procedure|exam)\s*:|"
        r"\b(?:presents?|here|scheduled|referred) for)[^.\n]{0,30}\bscreening colonoscopy\b",
        "Encounter for screening colonoscopy: the visit's reason, first-listed (OCG I.C.21.c.5)",
    ),
    _rule(
        "Z00.121",
        r"\bwell[- ]child (?:exam|check|visit)\b[^.\n]{0,60}\babnormal findings?\b",
        "Routine child exam with abnormal findings, first-listed (OCG I.C.21.c.12)",
    ),
    _rule(
        "Z00.129",
        r"\bwell[- ]child (?:exam|check|visit)\b(?![^.\n]{0,60}\babnormal findings?\b)",
        "Routine child exam without abnormal findings, first-listed (OCG I.C.21.c.12)",
    ),
    _rule(
        "Z38.00",
        r"\bborn (?:in|at) (?:this|our|the) hospital\b[^.\n]{0,40}\bvaginal",
        "Liveborn in hospital, vaginal delivery: the birth record's principal (OCG I.C.16.a.2)",
    ),
    _rule(
        "Z38.01",
        r"\bborn (?:in|at) (?:this|our|the) hospital\b[^.\n]{0,40}\b(?:cesarean|c-section)",
        "Liveborn in hospital, cesarean delivery: the birth record's principal (OCG I.C.16.a.2)",
    ),
    _rule(
        "Z87.891",
        FORMER_TOBACCO,
        "History of nicotine dependence: 'use additional code' (OCG I.C.21.c.4)",
    ),
    _rule(
        "F17.210",
        CURRENT_CIGARETTES,
        "Nicotine dependence, cigarettes: a 'use additional code' note (OCG I.A.13)",
    ),
    *(
        _rule(
            code,
            rf"\b(?:{words})\b",
            "Long-term drug therapy: 'use additional code' (OCG I.C.21.c.3)",
            current_use=True,
        )
        for code, words in _DRUG_WORDS.items()
    ),
    _rule(
        "Z66",
        r"\b(?:do[- ]not[- ]resuscitate|DNR|no code)\b",
        "Do not resuscitate status, documented at any time during the stay (OCG I.C.21.c.3)",
    ),
    _rule(
        "Z37.0",
        r"\b(?:delivered|delivery of|gave birth to|born)\b[^.\n]{0,60}"
        r"\b(?:live|viable|healthy|male|female|infant|baby|boy|girl|neonate)\b",
        "Outcome of delivery on the mother's record (OCG I.C.15.b.5)",
    ),
)

_INJURY_CAUSE_RE = re.compile(
    r"\b(?:fell|falls?|slipped|tripped|struck|hit by|collision|mvc|mva|motor vehicle|"
    r"bitten|bite|burned|scald\w*|assault\w*|stabbed|gunshot|crushed)\b",
    re.IGNORECASE,
)
_PLACE_RE = re.compile(
    r"\b(?:at|in (?:his|her|the))\s+(home|house|kitchen|bathroom|bedroom|yard|garden|work|"
    r"school|street|nursing home|restaurant|store|gym|playground)\b",
    re.IGNORECASE,
)
_DRUG_EFFECT_RE = re.compile(
    r"\b([a-z]{4,})[- ]induced\b|\b(?:adverse (?:effect|reaction)|side effect|reaction|"
    r"allergic reaction|toxicity) (?:to|of|from) (?:his |her |the )?([a-z]{4,})",
    re.IGNORECASE,
)

_POISONING_OF_RE = re.compile(
    r"\b(?:overdose|overdosed|ingestion|ingested|poisoning|intoxication)\s+(?:of|on|with)\s+"
    r"(?:his |her |the |an? |\d+ |several |many )*(?:tablets of |pills of )?([a-z]{4,})",
    re.IGNORECASE,
)
_DRUG_POISONING_RE = re.compile(
    r"\b([a-z]{4,}) (?:overdose|poisoning|intoxication|ingestion)\b", re.IGNORECASE
)
_UNDERDOSING_RE = re.compile(
    r"\b(?:ran out of|run out of|missed|skipped|stopped taking|not taking)\s+"
    r"(?:his |her |the |several |\d+ |a few |(?:days|doses) of )*([a-z]{4,})",
    re.IGNORECASE,
)
_NOT_DRUGS = frozenset(
    "doses dose days weeks medication medications meds pills tablets work school after test "
    "intentional accidental deliberate suspected possible reported presumed known".split()
)
"""Words those patterns catch that name no drug ("missed doses", "ran out of test strips",
"intentional overdose"). "Off" is no sign of underdosing: "off HCTZ", "off lights"."""

_FINANCIAL_RE = re.compile(r"\b(?:afford|cost|costs|expensive|insurance|financial)\b", re.I)
_FORGOT_RE = re.compile(r"\b(?:forgot|forgets|forgetting|confus\w*)\b", re.I)


def noncompliance(note: str) -> tuple[str, str] | None:
    """Return the noncompliance code an underdosing sentence documents, and that sentence.

    OCG I.C.19.e.5.c: "Noncompliance (Z91.12-, Z91.13-, Z91.14-) ... codes are to be used
    with an underdosing code to indicate intent, if known": forgetting is unintentional,
    cost is intentional due to financial hardship, stopping or running out otherwise is
    intentional for another reason.
    """
    for sentence in _sentences(note):
        match = _UNDERDOSING_RE.search(sentence)
        if match is None or match.group(1).lower() in _NOT_DRUGS:
            continue
        if _FORGOT_RE.search(sentence):
            return "Z91.138", sentence
        return ("Z91.120" if _FINANCIAL_RE.search(note) else "Z91.128"), sentence
    return None


@dataclass(frozen=True, slots=True)
class CompanionSearch:
    """An index search a companion asks for: the query, its context, where to look, why."""

    query: str
    sentence: str
    context: str
    sources: tuple[IndexSource, ...]
    why: str
    cell: tuple[str, str] | None = None
    """A Table of Drugs look-up: the drug as the sentence names it and the column's cell
    ("ibuprofen", "adverse effect"), read literally before any search."""


_ONE_EXAM = ("Z00.121", "Z00.129")
"""One routine exam: with abnormal findings when any statement of it says so (OCG I.C.21.c.12:
the code depends on what is known when the encounter is coded); "WELL CHILD VISIT" as the
note's title says nothing either way."""


def documented(note: str) -> Iterator[tuple[Companion, str]]:
    """Yield each companion the note documents, with the sentence that documents it."""
    found = [(c, s) for c in COMPANIONS if (s := _documenting(c, note)) is not None]
    codes = {c.code for c, _s in found}
    for companion, sentence in found:
        if companion.code != _ONE_EXAM[1] or _ONE_EXAM[0] not in codes:
            yield companion, sentence


def _documenting(companion: Companion, note: str) -> str | None:
    """Return the first sentence that documents a companion (None: none does)."""
    for sentence in _sentences(note):
        for match in companion.pattern.finditer(sentence):
            if NEGATION_RE.search(sentence[: match.start()]) or not patients_own(match):
                break
            if not companion.current_use or taken_now(match):
                return sentence
    return None


_NOT_TAKEN_BEFORE = re.compile(
    r"\b(?:avoid\w*|stop|discontinu\w*|d/c|no longer|allerg\w*|intoleran\w*)\b", re.IGNORECASE
)
_NOT_TAKEN_AFTER = re.compile(
    r"\b(?:(?:is |are )?to be started|will (?:be )?start\w*|to start|(?:was |were )?"
    r"discontinued|d/c'?d)\b",
    re.IGNORECASE,
)


def taken_now(match: re.Match[str]) -> bool:
    """Say whether a drug's words name a drug the patient takes now, continuously.

    OCG I.C.21.c.3: a Z79 code is for "a patient's continuous use of a prescribed drug": not
    a drug to avoid or to stop, one the patient is allergic to, one discontinued, or one still to be
    started ("apixaban to be started after the bleed risk is reviewed"). The words read are
    the drug's own clause: a list in parentheses is one clause with the words before it
    ("avoid NSAIDs (ibuprofen, naproxen, aspirin)"); "stop aspirin, start apixaban" is two.
    """
    before = words_before(match)
    before = before[_clause_start(before) :]
    after = re.split(r"[;,\n]|\.(?!\d)", match.string[match.end() : match.end() + 40])[0]
    return not (_NOT_TAKEN_BEFORE.search(before) or _NOT_TAKEN_AFTER.search(after))


def _clause_start(text: str) -> int:
    """Return where the last clause of ``text`` starts: after its last comma outside brackets."""
    depth, start = 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth <= 0:
            start, depth = i + 1, 0
    return start


def gestation_codes(note: str, weeks: frozenset[int]) -> list[str]:
    """Return the Z3A codes of the weeks a pregnancy note states.

    Chapter 15's note: "Use additional code from category Z3A, Weeks of gestation, to
    identify the specific week of the pregnancy, if known".
    """
    if not PREGNANCY_RE.search(note):
        return []
    # The encounter's weeks are the latest the note states (an earlier one is its history).
    latest = max(weeks, default=0)
    return [f"Z3A.{latest:02d}"] if 8 <= latest <= 42 else []


def bmi_codes(note: str) -> list[str]:
    """Return the Z68 code of the BMI a note states beside a weight diagnosis.

    E66's note: "Use additional code to identify body mass index (BMI), if known (Z68.-)";
    a BMI is coded only beside the weight diagnosis it qualifies, never in pregnancy
    (OCG I.C.21.c.3).
    """
    code = bmi_code(note)
    return [code] if code and bmi_reportable(note) else []


def companion_searches(note: str) -> list[CompanionSearch]:
    """Return the searches for an injury's external causes and a drug's effect or misuse."""
    searches: list[CompanionSearch] = []
    for sentence in _sentences(note):
        if _INJURY_CAUSE_RE.search(sentence):
            searches.append(
                CompanionSearch(
                    sentence,
                    sentence,
                    sentence,
                    (IndexSource.EINDEX,),
                    "External cause (OCG I.C.20)",
                )
            )
        for place in _PLACE_RE.findall(sentence) if _INJURY_CAUSE_RE.search(sentence) else []:
            searches.append(
                CompanionSearch(
                    f"place of occurrence {place}",
                    sentence,
                    sentence,
                    (IndexSource.EINDEX,),
                    "Place of occurrence (OCG I.C.20.b)",
                )
            )
        searches += _drug_searches(sentence)
    return searches


_DRUG_USES = (
    (
        _DRUG_EFFECT_RE,
        "adverse effect",
        "Adverse effect: the T code after its manifestation (OCG I.C.19.e.5.a)",
    ),
    (_POISONING_OF_RE, "poisoning", "Poisoning: the T code first (OCG I.C.19.e.5.b)"),
    (_DRUG_POISONING_RE, "poisoning", "Poisoning: the T code first (OCG I.C.19.e.5.b)"),
    (
        _UNDERDOSING_RE,
        "underdosing",
        "Underdosing: the T code after the condition it caused (OCG I.C.19.e.5.c)",
    ),
)


_SELF_HARM_RE = re.compile(r"\b(?:intentional|suicid\w*|self[- ]harm|deliberate)\b", re.I)
_ASSAULT_RE = re.compile(r"\b(?:assault\w*|poisoned by|given by another)\b", re.I)


def _drug_searches(sentence: str) -> list[CompanionSearch]:
    """Return the Table of Drugs look-ups of a sentence's drugs, each in the column it names.

    Each cell of the table is an entry of its own ("Acetaminophen, poisoning, accidental"):
    the query names the column, and a poisoning's intent as the sentence states it
    (accidental when it states none, OCG I.C.19.e.5.b).
    """
    searches = []
    for pattern, column, why in _DRUG_USES:
        for match in pattern.finditer(sentence):
            drug = next(g for g in match.groups() if g)
            if drug.lower() in _NOT_DRUGS:
                continue
            cell = f"{column} {_intent(sentence)}" if column == "poisoning" else column
            searches.append(
                CompanionSearch(
                    f"{drug} {cell}",
                    sentence,
                    f"{sentence} {cell}",
                    (IndexSource.DRUG,),
                    why,
                    (drug, cell),
                )
            )
    return searches


def _intent(sentence: str) -> str:
    if _SELF_HARM_RE.search(sentence):
        return "intentional self-harm"
    if _ASSAULT_RE.search(sentence):
        return "assault"
    return "accidental (unintentional)"


@dataclass(frozen=True, slots=True)
class CompanionWalk:
    """A walk of an external-cause index main term with the sentence that documents it."""

    main_term: str
    sentence: str
    why: str


_EXTERNAL_WALKS = (
    ("Activity", "Activity of the patient when injured (OCG I.C.20.c)"),
    ("Place of occurrence", "Place of occurrence (OCG I.C.20.b)"),
)

_WORK_RE = re.compile(
    r"\b(?:at work|on the job|while working|at his job|at her job|work(?:place|site)|"
    r"employee|occupational|on duty)\b",
    re.IGNORECASE,
)


def companion_walks(note: str) -> list[CompanionWalk]:
    """Return the external-cause index walks an injury's sentences ask for.

    The activity and the place are coded at the initial encounter with the cause (OCG
    I.C.20.b, I.C.20.c); the walk reaches only what the sentence names ("playing basketball"
    -> Y93.67), never the unspecified Y92.9 or Y93.9 (I.C.20.b: not when the place is not
    stated).
    """
    return [
        CompanionWalk(main_term, sentence, why)
        for sentence in _sentences(note)
        if _INJURY_CAUSE_RE.search(sentence)
        for main_term, why in _EXTERNAL_WALKS
    ]


@dataclass(frozen=True, slots=True)
class StatusCode:
    """The external cause status a note documents: the code, why, and the sentence behind it."""

    code: str
    why: str
    sentence: str


def external_cause_status(note: str, activity_found: bool) -> StatusCode | None:
    """Return the Y99 status the note documents; None when it states none.

    OCG I.C.20.k: a status code goes with the other external cause codes; Y99.9 is never
    assigned when the status is not stated. Work for pay is Y99.0; an activity done for
    leisure (a sport, a hobby: the activity code found) is Y99.8.
    """
    sentences = _sentences(note)
    injury = next((s for s in sentences if _INJURY_CAUSE_RE.search(s)), None)
    if injury is None:
        return None
    work = next((s for s in sentences if _WORK_RE.search(s)), None)
    if work is not None:
        return StatusCode(
            "Y99.0", "External cause status: work done for income (OCG I.C.20.k)", work
        )
    if activity_found:
        return StatusCode(
            "Y99.8", "External cause status: a leisure activity (OCG I.C.20.k)", injury
        )
    return None


def _sentences(note: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", note) if s.strip()]
