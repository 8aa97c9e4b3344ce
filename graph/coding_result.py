"""The coding result as a type: what ``clh code --json`` writes and ``clh review`` and batch read.

The graph builds the result as plain JSON-ready data (``graph.result.build_result``), so a
LangGraph server returns it as is; at the package boundary it is read and written through
:class:`CodingResult`. Keys a later clh adds pass through (``extra="allow"``), and a result
written before a key existed still reads: every key but ``codes`` has a default, and
:meth:`CodingResult.as_written` gives back only the keys the file held.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.schemas import Check, CodeAssignment, Failure, Finding, Rejected


class Considered(BaseModel):
    """A pooled candidate below the final codes, with why it is not final."""

    model_config = ConfigDict(extra="allow")

    code: str
    description: str = ""
    score: float | None = None
    choice: float | None = None
    condition: str = ""
    why: str = ""


class Funnel(BaseModel):
    """How many codes each step kept: shown, candidates, validated, final; P(yes), P(coded)."""

    model_config = ConfigDict(extra="allow")

    shown: list[str] = Field(default_factory=list)
    candidates: list[str] = Field(default_factory=list)
    validated: list[str] = Field(default_factory=list)
    final: list[str] = Field(default_factory=list)
    scores: dict[str, float] = Field(default_factory=dict)
    pool_scores: dict[str, float] = Field(default_factory=dict)


class CodingResult(BaseModel):
    """One note's coding result: the final codes, then everything considered and why."""

    model_config = ConfigDict(extra="allow")

    note_id: str = "note"
    note_sha256: str | None = Field(default=None, description="The note's fingerprint.")
    passes: int = 1
    codes: list[CodeAssignment]
    considered: list[Considered] = Field(default_factory=list)
    ranking: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    rejected: list[Rejected] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    pass_history: list[dict[str, Any]] = Field(default_factory=list)
    funnel: Funnel = Field(default_factory=Funnel)
    accounting: dict[str, Any] = Field(default_factory=dict)
    plan: dict[str, Any] | None = Field(default=None, description="The run's plan.")

    @classmethod
    def read(cls, data: Any) -> CodingResult:
        """Read a result from parsed JSON.

        Raises:
            ValueError: naming the first key that is missing or of the wrong type.
        """
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the top level"
            raise ValueError(f"{where}: {first['msg']}") from exc

    def as_written(self) -> dict[str, Any]:
        """Return the result as JSON-ready data, with the keys it was given (no defaults)."""
        return self.model_dump(mode="json", exclude_unset=True)
