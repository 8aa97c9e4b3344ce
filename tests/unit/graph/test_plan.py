"""The run plan: every setting that depends on the model or on other settings, decided once."""

from __future__ import annotations

import pytest

from clh_llm import Decoding, LLMSettings
from graph.context import Context
from graph.errors import CalibrationError
from graph.plan import SCORED_PROMPT, build_plan
from tools.code_checks import Action
from tools.lanes import FUSED_LANES, RANKED_LANES, Lane
from tools.pool_ranker import PACKAGED_FLOOR, load_pool_ranker

EMBEDDED = LLMSettings()
SERVER = LLMSettings(base_url="http://server/v1", model="big-model")
RELEASE = "2026"  # the release the packaged calibration was fitted on
QWEN = "qwen2.5-coder-1.5b"  # clh ships a calibration for it (graph/calibrations)


def test_the_embedded_model_scores_and_the_lanes_carry_the_note() -> None:
    plan = build_plan(Context(), EMBEDDED, model=QWEN, release=RELEASE)
    assert plan.decoding_of("tabular_validator") == Decoding.SCORED
    assert plan.decoding_of("code_reconciler") == Decoding.SCORED
    assert plan.decoding_of("index_navigator") == Decoding.THINKING  # no yes/no for a generator
    assert plan.decoding_of("evidence_extractor") == Decoding.STRUCTURED
    assert plan.scores() and not plan.extractor
    assert plan.lanes == list(RANKED_LANES)
    ranker = load_pool_ranker("packaged")
    assert ranker is not None and plan.lane_k == ranker.top_k and plan.navigator_k == 10
    assert plan.threshold_source == "calibrated on codiesp-train"
    assert plan.scored_prompt == SCORED_PROMPT


def test_a_server_model_reasons_and_its_extractor_reads_the_note() -> None:
    plan = build_plan(Context(), SERVER, model="big-model", release=RELEASE)
    assert plan.decoding_of("tabular_validator") == Decoding.THINKING and not plan.scores()
    assert plan.extractor
    assert plan.threshold == 0.5 and plan.threshold_source.startswith("not used")


def test_without_a_ranker_the_lanes_follow_the_decoding() -> None:
    fused = Context(pool_ranker="fused", top_k=7)
    scored = build_plan(fused, EMBEDDED, model=QWEN, release=RELEASE)
    thinking = build_plan(fused, SERVER, model="big-model", release=RELEASE)
    assert scored.lanes == [Lane.WALK] and thinking.lanes == list(FUSED_LANES)
    assert scored.lane_k == thinking.lane_k == 7  # fusion searches top_k hits per query


def test_the_pool_floor_is_the_packaged_rankers_unless_the_run_sets_one() -> None:
    def floor(**settings: object) -> float:
        return build_plan(Context(**settings), EMBEDDED, model=QWEN, release=RELEASE).pool_floor

    assert floor() == PACKAGED_FLOOR > 0
    # Another ranker's probabilities are on another scale: the packaged floor does not hold.
    assert floor(pool_ranker="nopriors") == floor(pool_ranker="fused") == 0.0
    assert floor(pool_ranker="nopriors", min_pool_score=0.3) == 0.3
    assert floor(min_pool_score=0.0) == 0.0


def test_what_the_caller_sets_beats_what_the_plan_would_decide() -> None:
    context = Context(extractor=True, lanes=[Lane.MENTION], calibration="none", evidence="required")
    plan = build_plan(context, EMBEDDED, model=QWEN, release=RELEASE)
    assert plan.extractor and plan.lanes == [Lane.MENTION] and plan.evidence_required
    assert (plan.threshold, plan.threshold_source) == (0.5, "the run's verify_threshold")
    assert build_plan(Context(lanes=[]), EMBEDDED, model=QWEN, release=RELEASE).lanes == []


def test_a_calibration_for_another_model_or_release_is_refused_when_planned() -> None:
    with pytest.raises(CalibrationError, match="release .2026."):
        build_plan(Context(), EMBEDDED, model=QWEN, release="1999")
    # Not scored: the threshold is not used, so no calibration is read.
    build_plan(Context(), SERVER, model=QWEN, release="1999")


def test_a_server_that_names_its_model_later_is_said_so() -> None:
    plan = build_plan(
        Context(),
        LLMSettings(base_url="http://s/v1", decoding="scored"),
        model=None,
        release=RELEASE,
    )
    assert plan.threshold_source == "the packaged calibration of the served model, if any"
    assert "server" in plan.model


def test_the_plan_describes_itself_line_by_line() -> None:
    text = build_plan(Context(), EMBEDDED, model=QWEN, release=RELEASE).describe()
    assert "extractor: False" in text.splitlines()
    assert "lanes: mention, walk, sentence" in text.splitlines()
    assert any(
        line.startswith("decoding: evidence_extractor=structured") for line in text.splitlines()
    )


def test_guidelines_coding_takes_each_policy_at_the_guidelines_call() -> None:
    measured = build_plan(Context(), EMBEDDED, model=QWEN, release=RELEASE)
    context = Context(coding="guidelines", unspecified="flag", subterms="any")
    plan = build_plan(context, EMBEDDED, model=QWEN, release=RELEASE)
    assert (measured.excludes1, measured.unspecified, measured.named_symptom) == (Action.FLAG,) * 3
    assert (plan.excludes1, plan.unspecified, plan.named_symptom) == (Action.REMOVE,) * 3
    assert (plan.subterms, plan.past_malignancy) == ("exact", "history")
    assert plan.integral == measured.integral == Action.REMOVE  # the guideline's already
