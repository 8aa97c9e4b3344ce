"""Rank a note's pooled candidates with a model fitted on coded notes (learning to rank).

Reciprocal rank fusion counts how high and how often the lanes found a code; it cannot know
that "Hypertension" reached in the index is nearly always coded while a sub-term three levels
down that shares one word with the sentence rarely is. The ranker is a logistic regression
over what the pool records of a candidate (each lane's fused score, best rank and number of
lists), how much of its tabular description the note states, how specific it is, and how
often a code, its category and its block were coded when pooled in the training notes.
Before ranking, the small categories the pool reaches join it whole (the ``sibling`` lane):
the lanes keep a few codes of a category, and the right one is often their neighbour
(right eye, not unspecified eye).

It is fitted by ``python -m evals.fit_pool_ranker`` on training notes only and written as a
JSON file; ``PACKAGED`` holds the one clh ships (fitted on CodiEsp train: its priors are
CodiEsp's case reports, so a team coding other notes should fit its own).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

from icd_resources import IcdResources
from tools.candidate_pool import PooledCandidate, with_siblings
from tools.fitted_files import read_fitted_file
from tools.lanes import RANKED_LANES, Lane
from tools.words import content_words, telling_words

RANKER_VERSION = 2
PACKAGED = Path(__file__).parent / "pool_rankers" / "codiesp-train.json"
PRIOR_LEVELS = ("block", "category", "code")
_PRIOR_WEIGHT = 2.0
"""Pseudo-counts of the level above in a level's smoothed rate (a code pooled twice and never
coded keeps much of its category's rate)."""


class PoolRankerError(ValueError):
    """A ranker file that cannot be read or does not fit this clh."""


@dataclass(slots=True)
class Priors:
    """How often pooled codes were coded in the training notes, per block, category and code.

    Each level maps a key to ``[coded, pooled]`` counts; a level's rate is smoothed toward the
    level above (the block's toward ``base_rate``), so an unseen code gets its category's.
    """

    base_rate: float
    counts: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def log_rates(self, icd: IcdResources, code: str) -> dict[str, float]:
        """Return the log of the smoothed coded rate at each level, block first."""
        keys = {"block": block_key(icd, code), "category": code[:3], "code": code}
        rate, rates = self.base_rate, {}
        for level in PRIOR_LEVELS:
            coded, pooled = self.counts.get(level, {}).get(keys[level], (0, 0))
            rate = (coded + _PRIOR_WEIGHT * rate) / (pooled + _PRIOR_WEIGHT)
            rates[f"prior_{level}"] = math.log(rate)
        return rates


def _probability(log_odds: float) -> float:
    """Return the probability of log-odds, without overflow at either end."""
    if log_odds >= 0:
        return 1.0 / (1.0 + math.exp(-log_odds))
    odds = math.exp(log_odds)
    return odds / (1.0 + odds)


def block_key(icd: IcdResources, code: str) -> str:
    """Return the id of a code's block ("?" for a category not in the release)."""
    return icd.block_of(code[:3]).id if icd.exists(code[:3]) else "?"


def candidate_features(
    icd: IcdResources, candidate: PooledCandidate, note_words: frozenset[str], priors: Priors
) -> dict[str, float]:
    """Return what the ranker weighs of one pooled candidate, by feature name."""
    features: dict[str, float] = {}
    for lane in (*RANKED_LANES, Lane.SIBLING):
        rank = candidate.lanes.get(lane)
        features[f"{lane}_score"] = 60.0 * candidate.lane_scores.get(lane, 0.0)
        features[f"{lane}_rank"] = 1.0 / rank if rank else 0.0
        features[f"{lane}_lists"] = math.log1p(candidate.lists.get(lane, 0))
    described = telling_words(candidate.description)
    features["described"] = len(described & note_words) / max(len(described), 1)
    features["unspecified"] = float("unspecified" in candidate.description.lower())
    features["characters"] = float(len(candidate.code.replace(".", "")))
    features["as_indexed"] = float(candidate.index_code == candidate.code)
    features.update(priors.log_rates(icd, candidate.code))
    return features


@dataclass(slots=True)
class PoolRanker:
    """A fitted ranking of pooled candidates, and what it was fitted on."""

    version: int
    data: str
    """Dataset, split and fingerprint, e.g. ``codiesp-train@3f2a...``."""
    notes: int
    lanes: list[str]
    top_k: int
    created: str
    features: list[str]
    weights: list[float]
    bias: float
    means: list[float]
    scales: list[float]
    priors: Priors
    fit: dict[str, float] = field(default_factory=dict)
    """What the fit printed: training pairs, positives, recall at caps on the training notes."""
    siblings: int = 0
    """Categories of at most this many billable codes join the pool whole (0: none)."""

    def score(self, features: Mapping[str, float]) -> float:
        """Return the log-odds that a candidate with these features is coded."""
        total = self.bias
        for name, weight, mean, scale in zip(
            self.features, self.weights, self.means, self.scales, strict=True
        ):
            total += weight * (features.get(name, 0.0) - mean) / scale
        return total

    def rank(
        self, icd: IcdResources, candidates: Sequence[PooledCandidate], note: str
    ) -> list[PooledCandidate]:
        """Return the candidates, with their small categories' other codes, best first.

        Ties go by code. The categories are those of ``with_siblings`` up to ``siblings`` codes.
        """
        return [c for c, _p in self.ranked(icd, candidates, note)]

    def ranked(
        self, icd: IcdResources, candidates: Sequence[PooledCandidate], note: str
    ) -> list[tuple[PooledCandidate, float]]:
        """Return ``rank``'s order, each candidate with the probability that it is coded."""
        note_words = content_words(note)
        if self.siblings:
            candidates = with_siblings(icd, candidates, self.siblings)
        scored = [
            (self.score(candidate_features(icd, c, note_words, self.priors)), c) for c in candidates
        ]
        ordered = sorted(scored, key=lambda sc: (-sc[0], sc[1].code))
        return [(c, _probability(log_odds)) for log_odds, c in ordered]

    def to_json(self) -> str:
        """Return the file's text."""
        return json.dumps(asdict(self), separators=(",", ":")) + "\n"


def read_pool_ranker(path: Path) -> PoolRanker:
    """Read a ranker file.

    Raises:
        PoolRankerError: for a missing, unreadable or malformed file, or another version.
    """
    data = read_fitted_file(
        path,
        kind="pool ranker",
        names={f.name for f in fields(PoolRanker)},
        version=RANKER_VERSION,
        refit="fit it again with `python -m evals.fit_pool_ranker`",
        error=PoolRankerError,
    )
    sizes = {len(data[name]) for name in ("features", "weights", "means", "scales")}
    if len(sizes) != 1:
        raise PoolRankerError(f"{path}: features, weights, means and scales differ in length")
    try:
        data["priors"] = Priors(**data["priors"])
    except TypeError as exc:
        raise PoolRankerError(f"{path}: malformed priors ({exc})") from exc
    return PoolRanker(**data)


PACKAGED_NAME = "packaged"
"""The ranker clh ships (``PACKAGED``), fitted on CodiEsp train."""
PACKAGED_FLOOR = 0.16
"""The probability of being coded, by the packaged ranker, that a final code needs: fitted on
the first 60 CodiEsp train notes by ``python -m evals.fit_pool_floor`` (the ranker's own
training notes; docs/evaluation.md has the curve). It holds for the packaged ranker only."""
NO_PRIORS = "nopriors"
"""The packaged ranker with its coded-rate priors left out: every code gets the base rate, so
the lanes and the note's words alone order the pool (for notes unlike the training notes)."""


@lru_cache(maxsize=8)
def load_pool_ranker(choice: str) -> PoolRanker | None:
    """Return the ranker a setting names: "packaged", "fused" (none), "nopriors", a path.

    Raises:
        PoolRankerError: for a file that cannot be read.
    """
    if choice == "fused":
        return None
    if choice == NO_PRIORS:
        packaged = read_pool_ranker(PACKAGED)
        return replace(packaged, priors=Priors(packaged.priors.base_rate))
    return read_pool_ranker(PACKAGED if choice == PACKAGED_NAME else Path(choice))
