"""Find the conditions a note mentions, and how it asserts them, by rules: no model, no download.

medspaCy does the clinical reading: PyRuSH splits sentences, a target matcher finds the main
terms of the Alphabetic Index (a coder's look-up words: "diabetes", "pneumonia", "fracture"),
ConText marks each mention negated, family, hypothetical, uncertain or historical, and the
sectionizer carries a section's meaning (a "Family history:" section) to its mentions. Each
mention becomes a short query: the mention with the words of its clause, not a whole sentence.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from icd_resources import IcdResources, IndexSource
from tools.abbreviations import ABBREVIATIONS, expand

_CLAUSE_WORDS = 5
"""Words kept on each side of a mention in its query (within its clause)."""
_CLAUSE_STOPS = frozenset(",;:()[]")
_AGE_UNITS = frozenset("year years yr yrs month months mo week weeks wk day days".split())
"""The units of an age ("a 37-year-old man", "3 days old")."""
_MIN_TERM_CHARS = 3
_STEM_CHARS = 5
"""Forms of one word share their first characters (infarct/infarction, diabetes/diabetic)."""
_MAX_SENTENCE_CHARS = 400
_TERMINATIONS = (
    "but",
    "however",
    "although",
    "though",
    "except",
    "apart from",
    "aside from",
    ", with",
    "; with",
    ";",
    "which",
    "who",
    "whose",
    "presented",
    "presenting",
    "showed",
    "revealed",
)
"""Words that end a negation's (or any cue's) reach: in "without known allergies, with a history
of hypertension" the hypertension is not negated, nor the cough of "denies fever; reports cough"
(a semicolon ends a clause). medspaCy's default rules have none."""
_BE = {"LOWER": {"IN": ["is", "was", "were", "been"]}, "OP": "?"}
_AFTER_NEGATIONS = (
    ("ruled out", [_BE, {"LOWER": {"IN": ["ruled", "rules"]}}, {"LOWER": "out"}], 2),
    ("excluded", [_BE, {"LOWER": "excluded"}], 2),
    ("not suspected", [_BE, {"LOWER": "not"}, {"LOWER": "suspected"}], 2),
    ("not confirmed", [_BE, {"LOWER": "not"}, {"LOWER": "confirmed"}], 2),
)
"""Negations written after what they negate, reaching two tokens back: "sepsis ruled out",
"PE was ruled out", "PE not suspected", "sepsis was not confirmed", and not the item before
in "dysphagia; sepsis ruled out". medspaCy's default "ruled out" reaches forward only ("ruled
out for sepsis"); its "was not" would take "not confirmed" whole, so "was" is in the cue."""
_ANSWERS = (": no", ": none")
"""medspaCy's backward negations for a question answered "Chills: no". Read anywhere they take
the forward "no" of "Eye exam: no retinopathy" and negate the exam instead (the longer cue wins):
here they apply only where the answer ends its clause."""
_RESULTS_NEGATIVE = ("neg", "negative", "nonreactive", "unremarkable", "undetectable")
_RESULT_SCOPE = 7
"""'HIV/HBsAg/RPR neg.', 'GBS negative,', 'serologies for HIV and HCV were negative.': a test's
negative result, written after the tests it answers (seven tokens back: a list of four joined
by slashes). Only where it ends its clause: "negative for" reads forward (medspaCy's own),
and "PR negative breast cancer" names a cancer."""
_UNCERTAINTIES = (
    "probable",
    "suspected",
    "suspect",
    "questionable",
    "compatible with",
    "consistent with",
    "working diagnosis",
    "presumed",
    "presumptive",
    "suspicion of",
    "suspicion for",
    "concern for",
    "question of",
)
"""What qualifies a diagnosis as uncertain, forward (backward: ``_UNCERTAIN_AFTER``): the terms
of OCG II.H and IV.H ("probable", "suspected", "questionable", "compatible with", "consistent
with", "working diagnosis", "still to be ruled out") and "similar terms"; medspaCy's own cover
"possible", "likely", "rule out". An outpatient note's "probable early pneumonia" is not coded
(IV.H), an inpatient one is (II.H)."""
_UNCERTAIN_AFTER = ("still to be ruled out",)
"""Written after the diagnosis, two tokens back: "pneumonia, still to be ruled out"."""
_CONTRASTS = ("vs", "vs.", "versus")
"""Contrasting diagnoses, "pneumonia vs bronchitis", "croup vs bronchiolitis": each
side is uncertain (OCG II.D codes both as confirmed in inpatient care, IV.H neither outside it).
Two tokens each way: "diabetes, CKD vs AKI, anemia" doubts only CKD and AKI."""
_CONTRAST_SCOPE = 2
_VACCINES_AFTER = (
    "vaccine",
    "vaccines",
    "vaccination",
    "vaccinations",
    "immunization",
    "booster",
    "shot",
    "toxoid",
    "up to date",
    "utd",
)
_VACCINES_BEFORE = ("vaccinated against", "vaccination against", "immunized against")
"""A disease named for its vaccine has not happened: "influenza vaccine given today", "tetanus
booster", "vaccinated against hepatitis B" (three tokens back, twelve forward); nor has one
whose last dose a note dates ("Tetanus last 2019", "Tetanus up to date"). The encounter for
vaccination is Z23 (OCG I.C.21.c.2), not the disease."""
_LAST_DOSE = [{"LOWER": "last"}, {"SHAPE": "dddd"}]
"""'Tetanus last 2019': the year of the last dose, read back over the one word before it."""
_VACCINE_SCOPE = 3
_SHORT_NEGATIONS = ("w/o",)
"""Negations written short, forward like "without": "Radial site w/o hematoma"."""
_HYPOTHETICALS = (
    ("warning signs", "FORWARD", 12),
    ("red flags", "FORWARD", 12),
    ("watch for", "FORWARD", 12),
    ("monitor for", "FORWARD", 12),
    ("precautions", "BACKWARD", 2),
    ("risk of", "FORWARD", 6),
    ("risk for", "FORWARD", 6),
)
"""What a patient is told to watch for has not happened: "Warning signs reviewed: HA, heavy
bleeding, fever", "monitor for hypoglycemia", "aspiration precautions", "fever precautions";
nor has a risk ("at risk for falls": medspaCy's own "risk of" is one token that never
matches)."""
_RISK_SCOPE = 2
"""'Sepsis risk: EOS calculator 0.08/1000', 'fall risk.': the risk named just before its
"risk" and a colon or a clause's end; "risk factors: HTN, DM" are the patient's conditions."""
_RELATIVES = (
    "mother father sister brother sibling siblings parent parents son daughter aunt uncle "
    "grandmother grandfather cousin mom dad"
).split()
_PEOPLE = (
    "mother father sister brother sibling siblings parent parents son sons daughter daughters "
    "aunt uncle grandmother grandfather cousin mom dad wife husband spouse partner caregiver"
).split()
_INFORMANT_BEFORE = "per by w w/ with from to".split()
"""'per daughter', 'brought by son', 'w/ daughter', 'discussed with parents': a relative
who tells, brings or hears, not whose condition it is."""
_INFORMANT_AFTER = (
    "report reports reported reporting state states stated say says said note notes noted "
    "notice notices noticed find finds found bring brings brought witness witnessed call "
    "calls called concerned worried describe describes described endorse endorses denies deny "
    "denied ask asks asked feel feels felt think thinks believe believes at updated aware "
    "notified informed agrees agree requests request wants declines present"
).split()
"""'Parents report sneezing', 'wife found him', 'family at bedside': medspaCy's family cue is
any relative's name, and a relative telling the history is no family history (OCG I.C.21.c.4
codes a relative's disease that puts the patient at risk)."""
_FAMILY_AFTER_SCOPE = 4
"""'FHx breast cancer (mother, sister)': the relatives named in parentheses just after."""
_MAX_SCOPE = 12
"""Tokens a cue reaches: "prophylaxis" (a backward negation) would otherwise negate a whole
sentence of current treatments, "No history of nephrolithiasis, hematuria or urinary tract
infections" still reaches its last item."""


class Assertion(StrEnum):
    """How a note asserts a mention (ConText's categories, most decisive first)."""

    NEGATED = "negated"
    FAMILY = "family"
    HYPOTHETICAL = "hypothetical"
    UNCERTAIN = "uncertain"
    HISTORICAL = "historical"
    PRESENT = "present"


REASONS = {
    Assertion.NEGATED: "negated in the note",
    Assertion.FAMILY: "about a family member, not the patient",
    Assertion.HYPOTHETICAL: "hypothetical (if, should, return if...)",
    Assertion.UNCERTAIN: "uncertain (rule out, possible, suspected): not coded as established "
    "outside inpatient admissions (OCG IV.H; inpatient: II.H)",
}
"""Why a mention yields no candidate, as a reviewer reads it."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of an index main term in a note.

    ``start``/``end`` are character offsets into the note; ``query`` is the mention with the
    words around it in its clause, what the search looks up; ``sentence`` is the whole sentence,
    whose words guide the walk down the main term's sub-terms.
    """

    text: str
    start: int
    end: int
    query: str
    sentence: str
    assertion: Assertion
    section: str
    main_terms: tuple[int, ...]
    ruled_out: bool = False
    """Negated by a work-up's result ("ruled out", "not confirmed"), not by a denial."""
    said_sentence: str = ""
    """The sentence without the words of the denied or hypothetical mentions beside it (empty:
    as ``sentence``)."""
    certain_sentence: str = ""
    """``said_sentence`` without the words of the uncertain mentions beside it either."""
    named_with: str = ""
    """The mention and the few words after it in its clause ("cystic lesion in"): what a
    modifier names (empty: unknown)."""

    def walk_sentence(self, setting: str = "outpatient") -> str:
        """Return the words the walk may read: outside inpatient care, no doubted ones (IV.H)."""
        said = self.certain_sentence if setting != "inpatient" else self.said_sentence
        return said or self.sentence

    def codeable(self, setting: str = "outpatient") -> bool:
        """Say whether the mention may yield a candidate in this setting (OCG II.H, IV.H)."""
        if self.assertion is Assertion.UNCERTAIN:
            return setting == "inpatient"
        return self.assertion in (Assertion.PRESENT, Assertion.HISTORICAL)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the rules read in a note: its sentences and its mentions."""

    sentences: list[str]
    mentions: list[Mention]


_LATIN_PLURALS = (
    ("sis", "ses"),
    ("us", "i"),
    ("um", "a"),
    ("a", "ae"),
    ("ex", "ices"),
    ("ix", "ices"),
)
"""Notes write the plural of the index's Latin and Greek terms: metastases, bronchi,
diverticula, vertebrae, varices."""


def plurals(phrase: str) -> tuple[str, ...]:
    """Return the plural forms of a phrase's last word (English, and Latin or Greek)."""
    forms = [phrase + "s", phrase + "es"]
    if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
        forms.append(phrase[:-1] + "ies")  # adenopathy, adenopathies
    forms += [phrase[: -len(one)] + many for one, many in _LATIN_PLURALS if phrase.endswith(one)]
    return tuple(forms)


_NEGATIVE_MAIN_TERMS = ("lack of",)
"""Main terms of the index that are also ConText's negations: "lack of appetite" is R63.0
(Lack of, appetite), not a denied appetite. "Absence (of)" is left out: its sub-terms are
organs, and "absence of kidney stones" denies the stones."""


def negative_conditions(icd: IcdResources) -> tuple[str, ...]:
    """Return "lack of X" for each sub-term X of the index's negative main terms."""
    phrases: list[str] = []
    for entry in icd.index_entries(IndexSource.INDEX):
        title = " ".join(entry.title.lower().split())
        if entry.level == 0 and title in _NEGATIVE_MAIN_TERMS:
            phrases += [
                f"{title} {child.title.split(',')[0].strip().lower()}"
                for child in icd.index_children(entry.id)
            ]
    return tuple(sorted(set(phrases)))


def mention_vocabulary(icd: IcdResources) -> dict[str, tuple[int, ...]]:
    """Map each look-up word of the disease and external-cause indexes to its main terms.

    A main term's title may list forms of its word ("Infarct, infarction", "Diabetes,
    diabetic"); each is a phrase, and so are its plurals. Other comma-separated parts are not
    ("Klippel-Feil deficiency, disease, or syndrome" is no look-up of "disease").
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    phrases: dict[str, list[int]] = {}
    for source in (IndexSource.INDEX, IndexSource.EINDEX):
        for entry in icd.index_entries(source):
            if entry.level != 0:
                continue
            # "Ketosis NEC": a note says "ketosis" (NEC, not elsewhere classified, is the index's).
            forms = [
                " ".join(part.lower().split()).removesuffix(" nec")
                for part in entry.title.split(",")
            ]
            for phrase in forms:
                if (
                    len(phrase) < _MIN_TERM_CHARS
                    or phrase in STOP_WORDS
                    or phrase[:_STEM_CHARS] != forms[0][:_STEM_CHARS]
                ):
                    continue
                for form in (phrase, *plurals(phrase)):
                    ids = phrases.setdefault(form, [])
                    if entry.id not in ids:
                        ids.append(entry.id)
    return {phrase: tuple(ids) for phrase, ids in phrases.items()}


class MentionFinder:
    """A medspaCy pipeline with the release's main terms as targets; built once, reused."""

    _lock = threading.Lock()

    def __init__(
        self, vocabulary: dict[str, tuple[int, ...]], conditions: Collection[str] = ()
    ) -> None:
        """Keep the vocabulary; the pipeline is built at the first note.

        Args:
            vocabulary: Each look-up phrase and its main terms (``mention_vocabulary``).
            conditions: Phrases that begin with a negation and name a condition ("lack of
                appetite", ``negative_conditions``).
        """
        self.vocabulary = vocabulary
        self.conditions = conditions
        self._nlp: Any = None
        self._reading = threading.Lock()

    @classmethod
    def for_release(cls, icd: IcdResources) -> MentionFinder:
        """Return the finder of a release's vocabulary."""
        return cls(mention_vocabulary(icd), negative_conditions(icd))

    def _pipeline(self) -> Any:
        with self._lock:
            if self._nlp is None:
                self._nlp = _load_pipeline(self.vocabulary, self.conditions)
            return self._nlp

    def find(self, text: str) -> list[Mention]:
        """Return the mentions of a note, in note order."""
        return self.read(text).mentions

    def read(self, text: str) -> Reading:
        """Return a note's sentences and mentions, in note order.

        A long note is read in pieces of at most ``PIECE_CHARS`` cut at line ends: medspaCy's
        target matcher rewrites the document's entities once per match, so one long document
        costs the square of its length (a 100,000-character note took about a minute).
        """
        sentences: list[str] = []
        mentions: list[Mention] = []
        for offset, piece in pieces(text, PIECE_CHARS):
            reading = self._read_piece(piece)
            sentences += reading.sentences
            mentions += [
                replace(m, start=m.start + offset, end=m.end + offset) for m in reading.mentions
            ]
        return Reading(sentences, settled(mentions))

    def _read_piece(self, text: str) -> Reading:
        nlp = self._pipeline()
        # One note at a time: PyRuSH's sentencizer keeps per-call state on the shared pipeline,
        # and notes read at once from several threads (a server running runs in parallel,
        # batch --concurrency) fail with IndexError or mix their sentences.
        with self._reading:
            doc = nlp(text)
        cues = _cue_tokens(doc)
        # "evidence" of "no evidence of"; "Past history:" names a section, not a finding.
        ents = [
            ent
            for ent in doc.ents
            if not _in_section_title(ent)
            and not cues & set(range(ent.start, ent.end))
            and not _an_age(ent)
        ]
        assertions = [_assertion(ent) for ent in ents]
        unsaid = [ent for ent, a in zip(ents, assertions, strict=True) if a in _UNSAID]
        doubted = unsaid + [e for e, a in zip(ents, assertions, strict=True) if a in _DOUBTED]
        sentences = [" ".join(s.text.split()) for s in doc.sents if s.text.strip()]
        # The query and the sentence are read with the abbreviations spelt out ("HTN" ->
        # "hypertension"): the index and the walk know only the words.
        mentions = [
            Mention(
                text=ent.text,
                start=ent.start_char,
                end=ent.end_char,
                query=expand(_clause_query(ent)),
                sentence=expand(ent.sent.text)[:_MAX_SENTENCE_CHARS],
                assertion=assertion,
                section=str(getattr(ent._, "section_category", None) or ""),
                main_terms=self.main_terms(ent.text),
                ruled_out=_ruled_out(ent),
                said_sentence=expand(_said(ent.sent, unsaid, ent))[:_MAX_SENTENCE_CHARS],
                certain_sentence=expand(_said(ent.sent, doubted, ent))[:_MAX_SENTENCE_CHARS],
                named_with=expand(_named_with(ent)),
            )
            for ent, assertion in zip(ents, assertions, strict=True)
        ]
        return Reading(sentences, mentions)

    def main_terms(self, text: str) -> tuple[int, ...]:
        """Return the main terms a mention looks up: its own, or its abbreviation's words'."""
        own = self.vocabulary.get(text.lower())
        if own is not None or text not in ABBREVIATIONS:
            return own or ()
        words = ABBREVIATIONS[text].lower().split()
        found: list[int] = []
        taken: set[int] = set()
        for size in (3, 2, 1):  # the longest phrases first, as the target matcher reads them
            for start in range(len(words) - size + 1):
                at = set(range(start, start + size))
                terms = self.vocabulary.get(" ".join(words[start : start + size]), ())
                if terms and not at & taken:
                    taken |= at
                    found += [t for t in terms if t not in found]
        return tuple(found)


PIECE_CHARS = 8_000


def settled(mentions: list[Mention]) -> list[Mention]:
    """Return the mentions with a doubt the note settles read as settled.

    "Initially r/o sepsis ... sepsis was not confirmed": the work-up ruled out what the rule-out
    raised, so the uncertain sepsis is negated too; the uncertain diagnosis coded as if
    established (OCG II.H) is one still uncertain at the end of the stay.
    """
    negated = {m.text.lower() for m in mentions if m.ruled_out}
    return [
        replace(m, assertion=Assertion.NEGATED)
        if m.assertion is Assertion.UNCERTAIN and m.text.lower() in negated
        else m
        for m in mentions
    ]


def pieces(text: str, limit: int) -> list[tuple[int, str]]:
    """Cut a text into (offset, piece) of at most ``limit`` characters, at line ends if any."""
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        cut = text.rfind("\n", start, start + limit)
        end = cut + 1 if cut > start else start + limit
        out.append((start, text[start:end]))
        start = end
    out.append((start, text[start:]))
    return out


def _load_pipeline(vocabulary: Collection[str], conditions: Collection[str] = ()) -> Any:
    from loguru import logger

    logger.disable("PyRuSH")  # it logs every token at DEBUG level
    # PyFastNER (PyRuSH's rule engine) logs through the root logger at INFO level for every
    # character of a note: under a server that logs INFO (langgraph dev) that is megabytes a note.
    root = logging.getLogger()
    if not any(isinstance(f, _QuietRuleEngine) for f in root.filters):
        root.addFilter(_QuietRuleEngine())
    # The target matcher has phrase rules only; spaCy warns on every note that its token
    # matcher is empty.
    warnings.filterwarnings("ignore", message=r"\[W036\]")
    import medspacy
    from medspacy.ner import TargetRule

    nlp = medspacy.load(
        medspacy_enable=[
            "medspacy_pyrush",
            "medspacy_target_matcher",
            "medspacy_context",
            "medspacy_sectionizer",
        ]
    )
    nlp.get_pipe("medspacy_target_matcher").add(
        [TargetRule(phrase, "MAIN_TERM") for phrase in sorted(vocabulary)]
        + [
            # As written, case and all: "CAD" is coronary artery disease, "cad" is not.
            TargetRule(
                short, "ABBREVIATION", pattern=[{"TEXT": t.text} for t in nlp.tokenizer(short)]
            )
            for short in sorted(ABBREVIATIONS)
            if short.lower() not in vocabulary
        ]
    )
    rules = [r for r in nlp.get_pipe("medspacy_context").rules if r.literal not in _ANSWERS]
    for rule in rules:  # within the sentence (a global max_scope crosses sentences)
        rule.max_scope = rule.max_scope or _MAX_SCOPE
    # medspaCy's rules cannot be removed from its pipe: a fresh one takes the rules kept.
    context = nlp.replace_pipe("medspacy_context", "medspacy_context", config={"rules": None})
    context.add(rules + _added_rules(nlp) + _condition_rules(nlp, conditions))
    return nlp


def _condition_rules(nlp: Any, conditions: Collection[str]) -> list[Any]:
    """Return a PSEUDO rule per negative condition: the longer phrase outweighs "lack of"."""
    from medspacy.context import ConTextRule

    return [
        ConTextRule(
            phrase,
            "CONDITION",
            pattern=[{"LOWER": t.lower_} for t in nlp.tokenizer(phrase)],
            direction="PSEUDO",
        )
        for phrase in sorted(conditions)
    ]


def _added_rules(nlp: Any) -> list[Any]:
    """Return the ConText rules clh adds to medspaCy's own (see the constants above)."""
    from medspacy.context import ConTextRule

    def words(phrase: str) -> list[dict[str, str]]:
        return [{"LOWER": t.lower_} for t in nlp.tokenizer(phrase)]

    # max_scope=1: medspaCy's overlap test misses a scope that contains the other's whole scope
    # (a sentence-wide one), and the termination would never apply.
    return (
        [ConTextRule(w, "CONJ", direction="TERMINATE", max_scope=1) for w in _TERMINATIONS]
        + [
            ConTextRule(w, "NEGATED_EXISTENCE", pattern=p, direction="BACKWARD", max_scope=n)
            for w, p, n in _AFTER_NEGATIONS
        ]
        + [
            ConTextRule(w, "NEGATED_EXISTENCE", pattern=words(w), max_scope=_MAX_SCOPE)
            for w in _SHORT_NEGATIONS
        ]
        + [
            ConTextRule(w, "HYPOTHETICAL", pattern=words(w), direction=d, max_scope=n)
            for w, d, n in _HYPOTHETICALS
        ]
        + [
            # "FHx breast cancer", "FH: DM": medspaCy's family cue is the relatives' names. What
            # precedes it ("Social: never smoker" on the line before) is the patient's.
            ConTextRule(
                "fhx", "FAMILY", pattern=[{"LOWER": {"IN": ["fhx", "fh"]}}], direction="FORWARD"
            ),
            ConTextRule(
                "(relative",
                "FAMILY",
                pattern=[{"TEXT": "("}, {"LOWER": {"IN": _RELATIVES}}],
                direction="BACKWARD",
                max_scope=_FAMILY_AFTER_SCOPE,
            ),
        ]
        + _informant_rules()
        + _doubt_rules(words)
        + _risk_rules()
        + _answer_rules()
        + _result_rules()
    )


def _doubt_rules(words: Callable[[str], list[dict[str, str]]]) -> list[Any]:
    """Return the guidelines' terms of uncertainty, contrasts, and vaccines as ConText rules."""
    from medspacy.context import ConTextRule

    return (
        [
            ConTextRule(
                w, "POSSIBLE_EXISTENCE", pattern=words(w), direction="FORWARD", max_scope=_MAX_SCOPE
            )
            for w in _UNCERTAINTIES
        ]
        + [
            ConTextRule(
                w, "POSSIBLE_EXISTENCE", pattern=words(w), direction="BACKWARD", max_scope=2
            )
            for w in _UNCERTAIN_AFTER
        ]
        + [
            ConTextRule(
                w, "HYPOTHETICAL", pattern=words(w), direction="BACKWARD", max_scope=_VACCINE_SCOPE
            )
            for w in _VACCINES_AFTER
        ]
        + [
            ConTextRule(w, "HYPOTHETICAL", pattern=words(w), direction="FORWARD")
            for w in _VACCINES_BEFORE
        ]
        + [
            ConTextRule(
                "last dose", "HYPOTHETICAL", pattern=_LAST_DOSE, direction="BACKWARD", max_scope=1
            )
        ]
        + [
            ConTextRule(
                w,
                "POSSIBLE_EXISTENCE",
                pattern=[{"LOWER": w}],
                direction="BIDIRECTIONAL",
                max_scope=_CONTRAST_SCOPE,
            )
            for w in _CONTRASTS
        ]
    )


def _result_rules() -> list[Any]:
    """Return a negative result that ends its clause as a backward negation of its tests."""
    from medspacy.context import ConTextRule

    return [
        ConTextRule(
            "negative result",
            "NEGATED_EXISTENCE",
            pattern=[{"LOWER": {"IN": list(_RESULTS_NEGATIVE)}}, end],
            direction="BACKWARD",
            max_scope=_RESULT_SCOPE,
        )
        for end in ({"IS_PUNCT": True}, {"IS_SPACE": True})
    ]


def _risk_rules() -> list[Any]:
    """Return "Sepsis risk:" as a backward hypothetical of the risk it names."""
    from medspacy.context import ConTextRule

    return [
        ConTextRule(
            "risk:",
            "HYPOTHETICAL",
            pattern=[{"LOWER": "risk"}, {"IS_PUNCT": True}],
            direction="BACKWARD",
            max_scope=_RISK_SCOPE,
        )
    ]


def _informant_rules() -> list[Any]:
    """Return a relative telling or hearing the history as no family cue.

    A PSEUDO rule is longer than medspaCy's one-word cue, so it replaces it.
    """
    from medspacy.context import ConTextRule

    relative = {"LOWER": {"IN": _PEOPLE}}
    return [
        ConTextRule(
            "per relative",
            "PSEUDO",
            pattern=[{"LOWER": {"IN": _INFORMANT_BEFORE}}, {"TEXT": "/", "OP": "?"}, relative],
            direction="PSEUDO",
        ),
        ConTextRule(
            "relative reports",
            "PSEUDO",
            pattern=[{"LOWER": {"IN": [*_PEOPLE, "family"]}}, {"LOWER": {"IN": _INFORMANT_AFTER}}],
            direction="PSEUDO",
        ),
        ConTextRule(
            "well child",
            "PSEUDO",
            pattern=[{"LOWER": "well"}, {"LOWER": "child"}],
            direction="PSEUDO",
        ),
    ]


def _answer_rules() -> list[Any]:
    """Return "Chills: no" and "Pain: none" as backward negations that end their clause."""
    from medspacy.context import ConTextRule

    return [
        ConTextRule(
            answer,
            "NEGATED_EXISTENCE",
            pattern=[{"TEXT": ":"}, {"LOWER": answer[2:]}, end],
            direction="BACKWARD",
            max_scope=_MAX_SCOPE,
        )
        for answer in _ANSWERS
        for end in ({"IS_PUNCT": True}, {"IS_SPACE": True})
    ]


class _QuietRuleEngine(logging.Filter):
    """Drops the root-logger records of PyFastNER's rule engine."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "PyFastNER" not in record.pathname


def _assertion(ent: Any) -> Assertion:
    flags = ent._
    if flags.is_negated:
        return Assertion.NEGATED
    if flags.is_family:
        return Assertion.FAMILY
    if flags.is_hypothetical:
        return Assertion.HYPOTHETICAL
    if flags.is_uncertain:
        return Assertion.UNCERTAIN
    if flags.is_historical and _historical_in_sentence(ent):
        return Assertion.HISTORICAL
    return Assertion.PRESENT


_RULED_OUT = frozenset(
    [w for w, _, _ in _AFTER_NEGATIONS]
    + ["are ruled out", "has been ruled out", "ruled the patient out"]
)
"""The cues of a work-up's negative result, medspaCy's own "... ruled out" among them."""


def _ruled_out(ent: Any) -> bool:
    flags = ent._
    return bool(flags.is_negated) and any(
        m.rule.literal in _RULED_OUT and m.category == "NEGATED_EXISTENCE" for m in flags.modifiers
    )


def _cue_tokens(doc: Any) -> set[int]:
    """Return the tokens of the note's ConText cues: words of a cue are not findings."""
    return {
        token
        for modifier in doc._.context_graph.modifiers
        if modifier.category != "CONJ" and modifier.direction != "PSEUDO"
        for token in range(*modifier.modifier_span)
    }


def _an_age(ent: Any) -> bool:
    """Say whether a mention is the "old" of an age: "Old (previous)" is an old infarction.

    The index's main term "Old (previous)" codes I25.2 (old myocardial infarction); "a
    37-year-old man" states an age.
    """
    if ent.text.lower() != "old":
        return False
    before = [t.lower_ for t in ent.doc[max(0, ent.start - 2) : ent.start] if t.text != "-"]
    return bool(before) and before[-1] in _AGE_UNITS


def _in_section_title(ent: Any) -> bool:
    title = ent._.section_title
    return title is not None and len(title) > 0 and title.start <= ent.start < title.end


def _historical_in_sentence(ent: Any) -> bool:
    """Say whether the sentence itself, not only its section, places the mention in the past.

    History codes are for conditions that no longer exist (OCG I.C.21.c.4); a "Past history"
    section also lists the chronic conditions a patient still has ("type 2 diabetes on
    insulin"), which are coded as current. A cue inside the section's title is the title's.
    """
    title = ent._.section_title
    for modifier in ent._.modifiers:
        if modifier.category != "HISTORICAL":
            continue
        start, _end = modifier.modifier_span
        if title is None or not len(title) or not title.start <= start < title.end:
            return True
    return False


_UNSAID = frozenset([Assertion.NEGATED, Assertion.HYPOTHETICAL])
"""Mentions no setting codes: their words lead no other mention's walk down the index
("Headache; no tension-type features" reaches no "Headache, tension"). A family member's
keep theirs: ConText's family cue reaches far ("no family history of interest, personal
history of ... congenital torticollis" reads "congenital" as the family's)."""
_DOUBTED = frozenset([Assertion.UNCERTAIN])
"""Mentions coded as established in inpatient care only (OCG II.H, IV.H): outside it their
words lead no other mention's walk ("Headache - possible migraine" is R51.9, not G43.909)."""


def _said(span: Any, unsaid: Sequence[Any], own: Any) -> str:
    """Return a span's text with the words of the unsaid mentions in it blanked.

    Not ``own``'s, nor those of a mention written against it, one term with it: ConText may
    read "respiratory" of "without evidence of bleeding, ... respiratory failure" as negated
    and "failure" not; the failure is still respiratory.
    """
    text = span.text
    inside = [
        e
        for e in unsaid
        if e is not own
        and span.start_char <= e.start_char
        and e.end_char <= span.end_char
        and e.end != own.start
        and e.start != own.end
    ]
    if not inside:
        return str(text)
    chars = list(text)
    for e in inside:
        chars[e.start_char - span.start_char : e.end_char - span.start_char] = " " * len(e.text)
    return " ".join("".join(chars).split())


_NAMED_WORDS = 3
"""Words after a mention that a modifier may name ("benign prostatic hyperplasia")."""


def _named_with(ent: Any) -> str:
    """Return the mention and up to a few words after it, not crossing its clause."""
    right = ent.end
    while right < ent.sent.end and right - ent.end < _NAMED_WORDS:
        if ent.doc[right].text in _CLAUSE_STOPS or ent.doc[right].is_sent_end:
            break
        right += 1
    return " ".join([ent.text, *(t.text for t in ent.doc[ent.end : right] if not t.is_space)])


def _clause_query(ent: Any) -> str:
    """Return the mention with up to a few words each side, not crossing its clause."""
    sentence = ent.sent
    left = ent.start
    while left > sentence.start and ent.start - left < _CLAUSE_WORDS:
        if ent.doc[left - 1].text in _CLAUSE_STOPS:
            break
        left -= 1
    right = ent.end
    while right < sentence.end and right - ent.end < _CLAUSE_WORDS:
        if ent.doc[right].text in _CLAUSE_STOPS or ent.doc[right].is_sent_end:
            break
        right += 1

    def words(tokens: Any) -> list[str]:
        return [t.text for t in tokens if not t.is_space and t.text not in ".!?"]

    # The mention as written ("A-fib", not "A - fib"): an abbreviation is spelt out by its text.
    return " ".join([*words(ent.doc[left : ent.start]), ent.text, *words(ent.doc[ent.end : right])])
