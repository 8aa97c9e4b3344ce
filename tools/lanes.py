"""The lanes that find a note's candidates: one name each, used by every module."""

from __future__ import annotations

from enum import StrEnum


class Lane(StrEnum):
    """Who found a finding or a pooled candidate.

    ``extractor`` is the model reading the note; the others are rules alone
    (tools/note_lanes.py, tools/companions.py, tools/candidate_pool.py).
    """

    EXTRACTOR = "extractor"
    """The model's findings (evidence_extractor), looked up by index_navigator."""
    MENTION = "mention"
    """Each codeable mention's clause searched in the index and the tabular descriptions."""
    WALK = "walk"
    """Each mention's main term walked down the sub-terms its sentence supports."""
    SENTENCE = "sentence"
    """Each sentence searched whole (the widest net, the least precise)."""
    SET_ASIDE = "set-aside"
    """A benchmark diagnostic, never coded: the walk of the mentions set aside (negated...)."""
    COMPANION = "companion"
    """The codes a coder adds beside the conditions (tools/companions.py)."""
    SIBLING = "sibling"
    """The rest of a small category the other lanes reached (the pool ranker adds them)."""
    SIDE = "side"
    """A sibling of the side the note names, beside a candidate of unspecified side."""
    LEAD = "lead"
    """A code the note's first stated diagnosis names in its words, verified beyond the cap
    (tools/first_listed.py:stated_leads)."""


RANKED_LANES = (Lane.MENTION, Lane.WALK, Lane.SENTENCE)
"""The lanes a pool ranker weighs (and the lanes a run may choose, ``Context.lanes``)."""
FUSED_LANES = (Lane.MENTION, Lane.WALK)
"""The lanes pooled without a ranker (reciprocal rank fusion alone) when decoding generates."""
FUSED_SCORED_LANES = (Lane.WALK,)
"""The lanes pooled without a ranker under scored decoding: the pool's first codes are what the
verifier sees, and on CodiEsp train the walk alone filled them better (docs/evaluation.md)."""
