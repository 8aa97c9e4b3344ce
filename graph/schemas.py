"""What the agents produce, as pydantic models (JSON-ready for checkpoints and Studio)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from graph.names import Node
from tools.code_checks import Check
from tools.lanes import Lane

__all__ = [
    "Candidate",
    "Check",
    "CodeAssignment",
    "Failure",
    "Finding",
    "Rejected",
    "Span",
    "Verdict",
]


class Span(BaseModel):
    """A verbatim piece of the note, located by character offsets checked against the note."""

    text: str
    start: int
    end: int


class Finding(BaseModel):
    """A codeable condition found in the note (evidence_extractor)."""

    id: str = Field(description="Stable id: 'p<pass>.c<chunk>.f<n>'.")
    term: str = Field(description="The lead term a coder would look up, e.g. 'Fracture'.")
    modifiers: list[str] = Field(
        default_factory=list, description="Site, laterality, acuity, type, cause..."
    )
    spans: list[Span] = Field(default_factory=list)
    lane: Lane = Field(
        default=Lane.EXTRACTOR,
        description="Who found it: 'extractor' (the model), 'mention' or 'companion' (rules).",
    )

    @property
    def query(self) -> str:
        """Return the text searched in the Alphabetic Index."""
        return " ".join([self.term, *self.modifiers]).strip()


class Candidate(BaseModel):
    """A billable code reached from a finding through the index (index_navigator)."""

    code: str
    description: str
    chapter: int
    finding_id: str
    index_path: str = Field(description="The index line the navigator selected.")
    via: str = Field(
        description="How the code was reached: 'index', 'see <target>', 'expanded from <code>-'."
    )
    index_code: str = Field(description="The code as printed in the index.")
    lanes: list[Lane] = Field(
        default_factory=list,
        description="The lanes of the note's pool that found it (mention, walk, sentence; "
        "sibling: the rest of a small category the lanes reached); empty for a code the "
        "navigator selected.",
    )
    pool_score: float | None = Field(
        default=None,
        description="The pool ranker's probability that a coder codes it (fitted on coded "
        "notes); None where no ranker scored it (a navigator's or a companion lane's code).",
    )


class Verdict(BaseModel):
    """The tabular validator's decision on one candidate."""

    code: str
    chapter: int
    finding_id: str
    selected: bool
    rationale: str = ""
    notes_checked: list[str] = Field(default_factory=list)
    score: float | None = Field(
        default=None, description="P(yes) of scored decoding; None for the other decodings."
    )
    condition: str = Field(
        default="",
        description="The condition it could code: the first code of its group of rivals.",
    )
    choice: float | None = Field(
        default=None,
        description="Its probability among its condition's rivals and 'none of these' "
        "(listwise choice); None when it had no rival.",
    )


class Rejected(BaseModel):
    """Something an agent considered and dropped, with the reason (shown to the reviewer)."""

    # A Node, not any string: the type names every value a checkpoint holds, so LangGraph's
    # strict deserialization (LANGGRAPH_STRICT_MSGPACK) allows the node names it derives
    # from the state's types (docs/deploy.md).
    step: Node = Field(description="The agent that dropped it.")
    item: str = Field(description="A finding's term, a code, or an index entry.")
    reason: str


class Failure(BaseModel):
    """A failed model call: a branch with no usable answer, or a reply refused and re-asked.

    A branch that failed is left out and the rest of the note is still coded; a recovered one
    answered after a re-ask, and its answer may be poorer (an extractor cut at its token limit
    may answer the re-ask with fewer findings): both are shown to the reviewer.
    """

    agent: Node
    scope: str = Field(description="What the branch was about: a chunk, finding or chapter.")
    reason: str
    last_reply: str = ""
    recovered: bool = Field(
        default=False, description="True when a re-ask then gave a usable answer."
    )


class CodeAssignment(BaseModel):
    """One code of the final, ordered result, traceable to the note."""

    rank: int
    code: str
    description: str
    evidence: list[Span] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)
    index_paths: list[str] = Field(default_factory=list)
    tabular_notes: list[str] = Field(default_factory=list)
    rationale: str = ""
    score: float | None = Field(default=None, description="The verifier's P(yes).")
    condition: str = Field(default="", description="The first code of its condition's group.")
    alternatives: list[str] = Field(
        default_factory=list, description="Its condition's other codes, best first."
    )
