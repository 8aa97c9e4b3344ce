"""Run configuration, visible and editable in LangGraph Studio."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from langgraph.runtime import Runtime

from clh_llm.settings import parse_decoding
from graph.settings_parser import field_overrides
from tools.lanes import RANKED_LANES, Lane
from tools.pool_ranker import load_pool_ranker

DecodingMode = Literal["thinking", "structured", "scored"]
SearchModeName = Literal["hybrid", "dense", "sparse"]
SettingName = Literal["inpatient", "outpatient"]


@dataclass(frozen=True, kw_only=True)
class Context:
    """How one coding run is configured: what the caller asks for.

    What depends on the model or on other fields (decoding, the extractor, the lanes, the
    threshold) is decided once per run, in :func:`graph.plan.build_plan`; a None here means
    "as the plan decides", and the field's description says how.
    """

    base_url: str | None = field(
        default=None,
        metadata={
            "description": "OpenAI-compatible server URL ending in /v1 (vLLM...). None: "
            "$CLH_LLM_BASE_URL, else the embedded model."
        },
    )
    model: str | None = field(
        default=None,
        metadata={"description": "Model name on that server (default: the one it serves)."},
    )
    decoding: DecodingMode | None = field(
        default=None,
        metadata={
            "description": "How every agent answers: 'thinking' (reason, then <answer>), "
            "'structured' (JSON schema) or 'scored' (the validator's P(yes) per candidate, the "
            "reconciler orders by it). None: $CLH_LLM_DECODING, else 'scored' for the "
            "embedded model and 'thinking' for a server."
        },
    )
    agent_decoding: dict[str, DecodingMode] = field(
        default_factory=dict,
        metadata={
            "description": "Per-agent decoding over the global one, e.g. "
            "{'index_navigator': 'structured'}."
        },
    )
    search_mode: SearchModeName = field(
        default="hybrid", metadata={"description": "Index search: hybrid, dense or sparse."}
    )
    top_k: int = field(
        default=10,
        metadata={
            "description": "Index entries shown to the navigator per finding (paper: 10); "
            "also the hits per lane query with pool_ranker=fused (a ranker's lanes search as "
            "many as it was fitted with)."
        },
    )
    max_passes: int = field(
        default=1,
        metadata={
            "description": "Refinement passes (1 = none); stops early when a pass changes nothing."
        },
    )
    max_expansion: int = field(
        default=25,
        metadata={
            "description": "Billable codes kept per incomplete index code (closest to the "
            "finding first); the rest are recorded as not considered."
        },
    )
    extractor: bool | None = field(
        default=None,
        metadata={
            "description": "Let the model read the note for findings (evidence_extractor, "
            "then index_navigator per finding). None: on unless the validator decodes "
            "scored, where the deterministic lanes carry the note."
        },
    )
    lanes: list[Lane] | None = field(
        default=None,
        metadata={
            "description": "Deterministic lanes that add candidates beside the extractor's: "
            "'mention' (medspaCy mentions searched), 'walk' (their main terms walked down the "
            "index), 'sentence' (whole sentences searched). Empty: the extractor alone. None: "
            "all three when a pool ranker orders the pool; with pool_ranker=fused, 'walk' "
            "alone when the validator scores, 'mention' and 'walk' otherwise."
        },
    )
    pool_ranker: str = field(
        default="packaged",
        metadata={
            "description": "How the lanes' pool is ordered before it is capped: 'packaged' "
            "for the ranker clh ships (fitted on CodiEsp train: lanes, description words, "
            "how often a code was coded when pooled), a path to one fitted with `python -m "
            "evals.fit_pool_ranker`, 'nopriors' for the packaged one without its CodiEsp "
            "coded-rate priors, or 'fused' for reciprocal rank fusion alone."
        },
    )
    min_pool_score: float | None = field(
        default=None,
        metadata={
            "description": "The pool ranker's probability that a coder codes a code, that a "
            "final code needs (0 = any); None: the packaged ranker's fitted floor with the "
            "packaged ranker, none with another. A code no ranker scored (a navigator's, a "
            "companion lane's) is exempt; one below goes to 'also considered'."
        },
    )
    max_candidates: int = field(
        default=20,
        metadata={
            "description": "Candidates per note: every code the navigators selected, then the "
            "lanes' pool in rank order up to this many."
        },
    )
    max_final_codes: int = field(
        default=20,
        metadata={
            "description": "Validated codes the reconciler orders (in the pool's order); the "
            "rest are recorded as not reconciled."
        },
    )
    verify_threshold: float = field(
        default=0.5,
        metadata={
            "description": "Scored decoding: a candidate is selected when the model's P(yes) "
            "that the note documents it reaches this (when no calibration applies)."
        },
    )
    calibration: str = field(
        default="packaged",
        metadata={
            "description": "Scored decoding's threshold from a calibration file (`clh "
            "calibrate`): a path, 'none' for verify_threshold, or 'packaged' for the file "
            "clh ships for the running model (fitted on CodiEsp train), if any. A file "
            "fitted for another model, release or prompt is refused."
        },
    )
    choice: Literal["ranked", "listwise", "yesno", "each"] = field(
        default="ranked",
        metadata={
            "description": "Scored decoding: how a condition's rival codes are decided. "
            "'ranked': the rival the pool ranks first among those whose P(yes) reaches the "
            "threshold (no call beyond the yes/no questions); 'yesno': the rival with the best "
            "P(yes), if it reaches the threshold (no call "
            "beyond the yes/no questions); 'listwise': one more question per condition, its "
            "rivals as lettered options and 'none of these', the answer letter's probability "
            "read from the logprobs; 'each': no grouping, every candidate alone at the "
            "threshold."
        },
    )
    cue_filter: bool = field(
        default=True,
        metadata={
            "description": "Before the choice, set aside rivals whose specifics the note "
            "contradicts: weeks of gestation, CKD stage, side, encounter, intent, type of "
            "diabetes (tools/code_cues.py)."
        },
    )
    companions: bool = field(
        default=True,
        metadata={
            "description": "Look for the codes a coder adds (tools/companions.py): the "
            "encounter's reason, external causes, 'use additional code' items the note "
            "states, an adverse effect's T code, weeks of gestation, outcome of delivery."
        },
    )
    max_companions: int = field(
        default=8, metadata={"description": "Companion candidates verified per note."}
    )
    max_leads: int = field(
        default=2,
        metadata={
            "description": "Codes the note's first stated diagnosis names in its words (two "
            "thirds of the description), verified beyond max_candidates: the principal "
            "diagnosis the pool ranked low. 0 turns the lane off."
        },
    )
    max_considered: int = field(
        default=100,
        metadata={
            "description": "Pooled candidates kept in the result's ranking below the final "
            "codes ('also considered'), for review and for MAP."
        },
    )
    max_candidates_per_chapter: int = field(
        default=40, metadata={"description": "Candidates shown to one tabular validator call."}
    )
    chunk_chars: int = field(
        default=6000,
        metadata={"description": "Notes longer than this are read in overlapping chunks."},
    )
    notes_chars: int = field(
        default=6000,
        metadata={
            "description": "Budget of instructional-note text per validator/reconciler prompt, "
            "shared by its codes (each gets 300 to 1200 characters, most binding notes first)."
        },
    )
    guideline_chars: int = field(
        default=6000,
        metadata={"description": "Budget of guideline text per validator/reconciler prompt."},
    )
    setting: SettingName = field(
        default="inpatient",
        metadata={
            "description": "Encounter setting: decides uncertain diagnoses ('probable', "
            "'rule out'): inpatient codes them as established (OCG II.H), outpatient codes "
            "the symptoms (OCG IV.H)."
        },
    )
    coding: Literal["measured", "guidelines"] = field(
        default="measured",
        metadata={
            "description": "'measured': each policy below as set (its default the one "
            "measured best on CodiEsp's train notes, whose annotators code some of what the "
            "guidelines leave out); 'guidelines': every such policy takes the Official "
            "Guidelines' call whatever it is set to: excludes1, unspecified and "
            "named_symptom remove, subterms exact, past_malignancy history (US coding)."
        },
    )
    excludes1: Literal["flag", "remove"] = field(
        default="flag",
        metadata={
            "description": "Excludes1 pairs in the final set: flag for review (measured "
            "default) or remove the lower-ranked code (OCG I.A.12.a)."
        },
    )
    unspecified: Literal["flag", "remove"] = field(
        default="flag",
        metadata={
            "description": "An unspecified code beside a specific code of its category: "
            "flag (measured default) or remove."
        },
    )
    residual: Literal["flag", "remove"] = field(
        default="remove",
        metadata={
            "description": "A residual code (T14 injury of unspecified region, X58 other "
            "specified factors, B99.9 unspecified infection, C80.1 cancer of unspecified "
            "site, C80.0 disseminated cancer) beside a code that names its kind, and a "
            "'without complications' code beside one of its category that codes a "
            "complication (E11.9 beside E11.22): remove (OCG I.C.19.b, I.C.2.j-k, I.A.9.b, "
            "I.C.4.a) or flag."
        },
    )
    evidence: Literal["any", "required"] = field(
        default="required",
        metadata={
            "description": "'required': a code with no span of the note behind it (reached "
            "by a sentence's words alone) is not final; it is listed under considered. "
            "'any': such a code may be final, never first-listed."
        },
    )
    sides: bool = field(
        default=True,
        metadata={
            "description": "When the note names a side, verify the right/left/bilateral "
            "siblings of a candidate of unspecified side (OCG I.B.13; tools/sides.py)."
        },
    )
    findings: Literal["remove", "keep"] = field(
        default="remove",
        metadata={
            "description": "'remove': a code whose only evidence lies in the exam, review "
            "of systems, vitals, labs or imaging is not final (OCG III.B), listed under "
            "considered; 'keep' it."
        },
    )
    symptoms: Literal["stated", "any"] = field(
        default="stated",
        metadata={
            "description": "'stated': when the note states its diagnoses under headings "
            "(principal, discharge, final, secondary diagnoses, assessment, impression), a "
            "symptom code (chapter 18) whose evidence lies outside them is not final: the "
            "diagnosis explains it (OCG I.C.18, I.C.18.b), listed under considered; 'any' "
            "keeps it."
        },
    )
    subterms: Literal["stated", "exact", "any"] = field(
        default="stated",
        metadata={
            "description": "'stated': before the choice, set aside a candidate whose index "
            "line goes down to a subterm (an essential modifier) the note never states, "
            "e.g. J45.909 through 'Dyspnea, asthmatic' (OCG I.A.7, tools/index_modifiers.py); "
            "'exact' also one whose line stops above a subterm the note states beside its "
            "evidence when that subterm leads to another candidate or entry (J18.9 'Pneumonia' "
            "beside J69.0 for 'aspiration pneumonia'); 'any' keeps both."
        },
    )
    first_listed: Literal["stated", "score"] = field(
        default="stated",
        metadata={
            "description": "'stated': the code the note states first under its principal, "
            "discharge or final diagnosis (else the assessment, else the reason for the "
            "visit) is first-listed (OCG II, IV.G); 'score': the pool's order."
        },
    )
    integral: Literal["flag", "remove"] = field(
        default="remove",
        metadata={
            "description": "A symptom code beside a chosen diagnosis of the same body "
            "system: remove it (listed under considered with the rule, OCG I.B.5) or flag it."
        },
    )
    past_malignancy: Literal["code", "history"] = field(
        default="code",
        metadata={
            "description": "A malignancy the note calls past ('Hx prostate CA, treated 2015, "
            "no current treatment'): 'code' leaves it to the lanes, whose C code CodiEsp's "
            "annotators assign; 'history' also pools the Z85 code whose Tabular note "
            "('Conditions classifiable to C51-C63') covers it, as OCG I.C.2.d says (US coding)."
        },
    )
    named_symptom: Literal["flag", "remove"] = field(
        default="flag",
        metadata={
            "description": "A symptom code every word of which a chosen diagnosis's "
            "description states (R73.9 beside E11.65, R52 beside M25.551): flag it, as "
            "CodiEsp's annotators code it, or remove it, as OCG I.B.9 says (US coding); "
            "the same for an unspecified or NEC code of another chapter a final code names "
            "(G62.9 beside E11.42, I96 beside K35.31); remove also sets aside any rival a "
            "combination code the note states whole names (R52 beside R10.13; an unspecified "
            "rival of another category, K65.9 beside K35.31, goes either way)."
        },
    )
    response_cache: str | None = field(
        default=None,
        metadata={
            "description": "A SQLite file of model answers for experiments: a rerun asks the "
            "model only what it has not asked before. None: $CLH_LLM_RESPONSE_CACHE, else "
            "every call is asked."
        },
    )
    prompt_versions: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "description": "Prompt version per agent, e.g. {'tabular_validator': 'v1'}; "
            "'scored_verifier' picks the yes/no prompt of scored decoding."
        },
    )


def get_context(runtime: Runtime[Context] | None) -> Context:
    """Return the run's context, or the defaults when the caller passed none."""
    context = runtime.context if runtime is not None else None
    return context if isinstance(context, Context) else Context()


def decoding_fields(option: str | None) -> dict[str, Any]:
    """Turn a ``--decoding`` option (a mode, or ``agent=mode`` pairs) into Context fields.

    Raises:
        ValueError: for an unknown mode or agent.
    """
    return parse_decoding(option) if option else {}


def notes_budget(context: Context, codes: int) -> int:
    """Return the characters of notes each of ``codes`` codes may show in one prompt."""
    return min(1200, max(300, context.notes_chars // max(1, codes)))


_PROBABILITIES = ("verify_threshold", "min_pool_score")
"""Fields a run compares a probability with: outside 0-1 they would keep or drop every code."""


def context_overrides(pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Read ``field=value`` settings (``clh ... --set``) into typed Context fields.

    How each field's text is read is :func:`graph.settings_parser.field_overrides`'s.

    Raises:
        ValueError: naming an unknown field or a value its type does not take, or a pool
            ranker file that cannot be read.
    """
    values = field_overrides(
        Context,
        pairs,
        # Decoding has its own option (--decoding); dicts are set from Python or Studio.
        excluded=("decoding", "agent_decoding"),
    )
    if "pool_ranker" in values:
        load_pool_ranker(values["pool_ranker"])  # a file that cannot be used: said now
    for name in _PROBABILITIES:
        value = values.get(name)
        if value is not None and not 0.0 <= value <= 1.0:
            raise ValueError(f"--set {name}={value}: a probability, between 0 and 1")
    other = [str(lane) for lane in values.get("lanes") or [] if lane not in RANKED_LANES]
    if other:
        raise ValueError(
            f"--set lanes: {', '.join(other)} is no lane a run chooses; the lanes are "
            + ", ".join(RANKED_LANES)
        )
    return values


def changed_settings(context: Context) -> str:
    """Return the fields set away from their defaults, as ``field=value`` pairs (a run's id).

    The response cache is left out: it serves the same answers, it does not change them.
    """
    default = Context()
    return ",".join(
        f"{f.name}={_plain(getattr(context, f.name))!r}"
        for f in fields(Context)
        if f.name != "response_cache" and getattr(context, f.name) != getattr(default, f.name)
    )


def _plain(value: Any) -> Any:
    """Return a list of enum members as their strings (``['walk']``, as typed)."""
    return [str(v) for v in value] if isinstance(value, list) else value
