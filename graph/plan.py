"""What a run will do, decided once: the ``RunPlan`` every node reads.

``Context`` holds what a caller asked for; some of it depends on the model (a small embedded
model verifies by scores, a server's model reasons), on packaged files (the pool ranker, the
calibration) or on other fields. :func:`build_plan` settles all of it in one place, at the start
of a run (``prepare_pass``); the plan travels in the state and the ``Send`` payloads, Studio
shows it, the result carries it, and ``clh code --explain-plan`` prints it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from clh_llm import Decoding, LLMSettings
from clh_llm.settings import AGENTS
from graph.calibration import find_calibration
from graph.context import Context
from graph.deps import Deps, get_deps
from graph.names import Node
from tools.code_checks import Action, CheckPolicy, Setting
from tools.lanes import FUSED_LANES, FUSED_SCORED_LANES, RANKED_LANES, Lane
from tools.pool_ranker import PACKAGED_FLOOR, PACKAGED_NAME, load_pool_ranker

SCORED_PROMPT = "scored2"
"""The yes/no prompt's default version; ``Context.prompt_versions["scored_verifier"]`` picks
another (a calibration holds for the version it was fitted with)."""


class RunPlan(BaseModel):
    """What one run will do: every setting that depends on the model or on other settings."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(description="The model that answers, as its server names it.")
    decoding: dict[str, Decoding] = Field(description="How each agent answers.")
    extractor: bool = Field(description="Whether the model reads the note for findings.")
    lanes: list[Lane] = Field(description="The deterministic lanes pooled beside it.")
    pool_ranker: str = Field(description="What orders the pool: packaged, nopriors, fused, a file.")
    lane_k: int = Field(description="Index hits per lane query.")
    navigator_k: int = Field(description="Index entries shown to the navigator per finding.")
    scored_prompt: str = Field(description="The scored verifier's prompt version.")
    threshold: float = Field(description="The P(yes) a scored candidate needs.")
    threshold_source: str = Field(description="Where that threshold comes from.")
    choice: Literal["ranked", "listwise", "yesno", "each"]
    pool_floor: float = Field(
        description="The pool ranker's P(coded) a final code needs (0: none)."
    )
    cue_filter: bool
    companions: bool
    max_companions: int
    max_leads: int
    sides: bool
    findings: Literal["remove", "keep"]
    symptoms: Literal["stated", "any"]
    subterms: Literal["stated", "exact", "any"]
    first_listed: Literal["stated", "score"]
    excludes1: Action
    unspecified: Action
    residual: Action
    integral: Action
    named_symptom: Action
    past_malignancy: Literal["code", "history"]
    setting: Setting
    evidence_required: bool

    def decoding_of(self, agent: str) -> Decoding:
        """Return how one agent answers in this run."""
        return self.decoding[str(agent)]

    def scores(self) -> bool:
        """Say whether the validator verifies by P(yes) (scored decoding)."""
        return self.decoding_of(Node.TABULAR_VALIDATOR) == Decoding.SCORED

    def check_policy(self) -> CheckPolicy:
        """Return the deterministic checks' policy."""
        return CheckPolicy(
            excludes1=self.excludes1,
            unspecified=self.unspecified,
            residual=self.residual,
            integral=self.integral,
            named_symptom=self.named_symptom,
            setting=self.setting,
        )

    def describe(self) -> str:
        """Return the plan as ``name: value`` lines (``clh code --explain-plan``)."""
        lines = []
        for name, value in self.model_dump(mode="json").items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items())
            elif isinstance(value, list):
                value = ", ".join(value) or "(none)"
            lines.append(f"{name}: {value}")
        return "\n".join(lines)


def build_plan(
    context: Context, settings: LLMSettings, *, model: str | None, release: str
) -> RunPlan:
    """Decide what a run will do from its context and the model settings.

    Args:
        context: what the caller asked for.
        settings: the model layer's settings (decoding per agent by where the model runs).
        model: the model's name; None when a server will name it (the packaged calibration
            is then looked up when the run starts).
        release: the ICD-10-CM release, which a calibration must match.

    Raises:
        CalibrationError: for a calibration fitted for another model, release or prompt.
        PoolRankerError: for a pool ranker file that cannot be read.
    """
    context = _with_guideline_calls(context)
    decoding = {agent: settings.decoding_for(agent) for agent in AGENTS}
    scored = decoding[Node.TABULAR_VALIDATOR] == Decoding.SCORED
    ranker = load_pool_ranker(context.pool_ranker)
    prompt = context.prompt_versions.get("scored_verifier", SCORED_PROMPT)
    threshold, source = decision_threshold(context, model, release, prompt, scored=scored)
    return RunPlan(
        model=model or "(the first model the server lists)",
        decoding=decoding,
        # A small model generates findings worse than the lanes find them: with scored
        # decoding, the deterministic lanes carry the note.
        extractor=context.extractor if context.extractor is not None else not scored,
        lanes=choose_lanes(context, scored=scored),
        pool_ranker=context.pool_ranker,
        lane_k=ranker.top_k if ranker is not None else context.top_k,
        navigator_k=context.top_k,
        scored_prompt=prompt,
        threshold=threshold,
        threshold_source=source,
        choice=context.choice,
        pool_floor=pool_floor(context),
        cue_filter=context.cue_filter,
        companions=context.companions,
        max_companions=context.max_companions,
        max_leads=context.max_leads,
        sides=context.sides,
        findings=context.findings,
        symptoms=context.symptoms,
        subterms=context.subterms,
        first_listed=context.first_listed,
        excludes1=Action(context.excludes1),
        unspecified=Action(context.unspecified),
        residual=Action(context.residual),
        integral=Action(context.integral),
        named_symptom=Action(context.named_symptom),
        past_malignancy=context.past_malignancy,
        setting=Setting(context.setting),
        evidence_required=context.evidence == "required",
    )


def _with_guideline_calls(context: Context) -> Context:
    """Return the context, each policy that follows CodiEsp at the guidelines' call if asked."""
    if context.coding != "guidelines":
        return context
    return dataclasses.replace(
        context,
        excludes1="remove",  # OCG I.A.12.a: never reported together
        unspecified="remove",  # OCG I.A.9.b, I.B.9: the specific code, not both
        named_symptom="remove",  # OCG I.B.9: the combination code alone
        subterms="exact",  # OCG I.A.7: the subterm the note states
        past_malignancy="history",  # OCG I.C.2.d: Z85 for a malignancy no longer treated
    )


def choose_lanes(context: Context, *, scored: bool) -> list[Lane]:
    """Return the lanes a run pools: ``Context.lanes``; if None, the ranker's or by decoding.

    A pool ranker weighs all three lanes. Without one (``pool_ranker=fused``), under scored
    decoding the pool's first codes are what the verifier sees, and the walk alone fills them
    better (``FUSED_SCORED_LANES``).
    """
    if context.lanes is not None:
        return [Lane(lane) for lane in context.lanes]
    if context.pool_ranker != "fused":
        return list(RANKED_LANES)
    return list(FUSED_SCORED_LANES if scored else FUSED_LANES)


def pool_floor(context: Context) -> float:
    """Return the pool ranker's P(coded) a final code needs: the setting, or the packaged one's.

    The packaged floor was fitted with the packaged ranker's probabilities; another ranker's
    (nopriors, a team's own) are on another scale, so it gets none unless the run sets one.
    """
    if context.min_pool_score is not None:
        return context.min_pool_score
    return PACKAGED_FLOOR if context.pool_ranker == PACKAGED_NAME else 0.0


def decision_threshold(
    context: Context, model: str | None, release: str, prompt: str, *, scored: bool
) -> tuple[float, str]:
    """Return the P(yes) a candidate needs, and where that figure comes from.

    Raises:
        CalibrationError: for a calibration fitted for another model, release or prompt.
    """
    if not scored:
        return context.verify_threshold, "not used: the validator does not score"
    if model is None and context.calibration == "packaged":
        return context.verify_threshold, "the packaged calibration of the served model, if any"
    calibration = find_calibration(context.calibration, model or "")
    if calibration is None:
        return context.verify_threshold, "the run's verify_threshold"
    calibration.check(model or "", release, prompt)
    return calibration.verify_threshold, f"calibrated on {calibration.data.split('@')[0]}"


def plan_for(context: Context, deps: Deps) -> RunPlan:
    """Build the plan of a run with these clients (the model as its server names it)."""
    return build_plan(
        context, deps.llm.settings, model=deps.llm.endpoint.model, release=deps.icd.release
    )


async def run_plan(state: Mapping[str, Any], context: Context) -> RunPlan:
    """Return the plan the state or payload carries, or build it (a node called alone)."""
    plan = state.get("plan")
    if isinstance(plan, RunPlan):
        return plan
    deps = await asyncio.to_thread(get_deps, context)  # the first use loads the clients
    return await asyncio.to_thread(plan_for, context, deps)
