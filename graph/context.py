"""Run configuration, visible and editable in LangGraph Studio."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from langgraph.runtime import Runtime

from llm.settings import parse_decoding
from tools.code_checks import Action, CheckPolicy, Setting

DecodingMode = Literal["thinking", "structured", "scored"]
SearchModeName = Literal["hybrid", "dense", "sparse"]


@dataclass(frozen=True, kw_only=True)
class Context:
    """How one coding run is configured; None means "use the environment or the default"."""

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
            "description": "How every agent answers: 'thinking' (reason, then <answer>) or "
            "'structured' (JSON schema). None: $CLH_LLM_DECODING, else the model layer's default."
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
        metadata={"description": "Index entries shown to the navigator per finding (paper: 10)."},
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
    lanes: list[Literal["mention", "walk", "sentence"]] = field(
        default_factory=lambda: ["mention", "walk"],
        metadata={
            "description": "Deterministic lanes that add candidates beside the extractor's: "
            "'mention' (medspaCy mentions searched), 'walk' (their main terms walked down the "
            "index), 'sentence' (whole sentences searched). Empty: the extractor alone."
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
            "description": "Validated codes the reconciler orders (best scored first under "
            "scored decoding); the rest are recorded as not reconciled."
        },
    )
    verify_threshold: float = field(
        default=0.5,
        metadata={
            "description": "Scored decoding: a candidate is selected when the model's P(yes) "
            "that the note documents it reaches this."
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
    setting: Literal["inpatient", "outpatient"] = field(
        default="inpatient",
        metadata={
            "description": "Encounter setting: decides uncertain diagnoses ('probable', "
            "'rule out'): inpatient codes them as established (OCG II.H), outpatient codes "
            "the symptoms (OCG IV.H)."
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
    prompt_versions: dict[str, str] = field(
        default_factory=dict,
        metadata={"description": "Prompt version per agent, e.g. {'tabular_validator': 'v1'}."},
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


def check_policy(context: Context) -> CheckPolicy:
    """Return the deterministic checks' policy for a run."""
    return CheckPolicy(
        excludes1=Action(context.excludes1),
        unspecified=Action(context.unspecified),
        setting=Setting(context.setting),
    )


def notes_budget(context: Context, codes: int) -> int:
    """Return the characters of notes each of ``codes`` codes may show in one prompt."""
    return min(1200, max(300, context.notes_chars // max(1, codes)))
