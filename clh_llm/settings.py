"""Configuration of the model layer: explicit values beat the environment, which beats defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from clh_llm.errors import LLMConfigError


class Decoding(StrEnum):
    """How an agent answers (the paper compares both, §6.4)."""

    THINKING = "thinking"  # free reasoning, then <answer>...</answer>
    STRUCTURED = "structured"  # JSON constrained to the offered IDs via response_format
    SCORED = "scored"  # one yes/no per candidate, scored by P(yes) from the logprobs


SCORED_AGENTS = ("tabular_validator", "code_reconciler")
"""Agents that work from scores: the validator asks one yes/no per candidate; the reconciler
then orders the validated codes by those scores without a call of its own. The others answer
by thinking when the global decoding is ``scored``."""


AGENTS = ("evidence_extractor", "index_navigator", "tabular_validator", "code_reconciler")

_ENV: dict[str, str] = {
    "base_url": "CLH_LLM_BASE_URL",
    "model": "CLH_LLM_MODEL",
    "temperature": "CLH_LLM_TEMPERATURE",
    "max_tokens": "CLH_LLM_MAX_TOKENS",
    "timeout_s": "CLH_LLM_TIMEOUT",
    "max_retries": "CLH_LLM_MAX_RETRIES",
    "max_reasks": "CLH_LLM_MAX_REASKS",
    "concurrency": "CLH_LLM_CONCURRENCY",
    "embedded_model": "CLH_EMBEDDED_MODEL",
    "embedded_gguf": "CLH_EMBEDDED_GGUF",
    "embedded_threads": "CLH_EMBEDDED_THREADS",
    "embedded_ctx": "CLH_EMBEDDED_CTX",
    "decoding": "CLH_LLM_DECODING",
    "response_cache": "CLH_LLM_RESPONSE_CACHE",
}


@dataclass(frozen=True, kw_only=True)
class LLMSettings:
    """Everything that decides which model answers and how.

    With no ``base_url`` clh runs the embedded llama.cpp server. ``api_key`` is never printed.
    """

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    temperature: float = 0.0
    max_tokens: int = 2048
    timeout_s: float = 300.0
    max_retries: int = 3
    retry_backoff_s: float = 0.5
    max_reasks: int = 2
    concurrency: int | None = None
    embedded_model: str = "qwen2.5-coder-1.5b"
    embedded_gguf: str | None = None
    embedded_threads: int = 2
    embedded_ctx: int = 16384
    response_cache: str | None = None
    """A SQLite file of model answers for experiments (evals); None: every call is asked."""
    decoding: str | None = None
    """None: ``scored`` for the embedded model, ``thinking`` for a server (see ``mode``)."""
    # The extractor's answer is a JSON list: constrained decoding keeps small models to valid,
    # complete lists (on the sample note, `clh code sample` with the embedded 1.5B kept no
    # finding in thinking mode and 5 with the schema). A global decoding setting overrides this.
    agent_decoding: dict[str, str] = field(
        default_factory=lambda: {"evidence_extractor": Decoding.STRUCTURED.value}
    )

    @property
    def embedded(self) -> bool:
        """Say whether clh serves the model itself."""
        return not self.base_url

    @property
    def effective_concurrency(self) -> int:
        """In-flight requests: vLLM batches many; the embedded server on 2 cores wants 1-2."""
        if self.concurrency:
            return self.concurrency
        return 1 if self.embedded else 8

    @property
    def mode(self) -> Decoding:
        """Return the global decoding: the set one, else by where the model runs.

        The embedded 1.5B fails as a generator and does well as a verifier (issue 12): on it,
        scored decoding is the default; a server's stronger model reasons (paper §6.4).
        """
        if self.decoding:
            return Decoding(self.decoding)
        return Decoding.SCORED if self.embedded else Decoding.THINKING

    def decoding_for(self, agent: str) -> Decoding:
        """Return the decoding mode of one agent (per-agent setting, else the global one)."""
        mode = Decoding(self.agent_decoding.get(agent, self.mode))
        if mode is Decoding.SCORED and agent not in SCORED_AGENTS:
            return Decoding.THINKING  # a generator cannot answer yes or no
        return mode

    @classmethod
    def resolve(cls, **explicit: Any) -> LLMSettings:
        """Build settings from explicit values (None means unset), then env, then defaults.

        ``CLH_LLM_DECODING`` takes ``thinking``, ``structured`` or per-agent pairs such as
        ``index_navigator=structured,tabular_validator=thinking``.
        """
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, env in _ENV.items():
            raw = os.environ.get(env)
            if raw:
                try:
                    values[name] = _coerce(str(types[name]), raw)
                except ValueError as exc:
                    raise LLMConfigError(f"{env}={raw!r} is not a valid value: {exc}") from exc
        key = os.environ.get("CLH_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY")
        if key:
            values["api_key"] = key
        decoding = values.pop("decoding", None)
        if decoding:
            try:
                values.update(parse_decoding(decoding))
            except ValueError as exc:
                raise LLMConfigError(f"CLH_LLM_DECODING={decoding!r}: {exc}") from exc
        explicit_decoding = explicit.pop("decoding", None)
        values.update({k: v for k, v in explicit.items() if v is not None})
        if explicit_decoding:
            values.update(parse_decoding(str(explicit_decoding)))
        settings = replace(cls(), **values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse values no server or model could work with.

        Raises:
            LLMConfigError: naming the setting and what it accepts.
        """
        for value, env in (
            (self.timeout_s, "CLH_LLM_TIMEOUT"),
            (self.max_tokens, "CLH_LLM_MAX_TOKENS"),
            (self.embedded_threads, "CLH_EMBEDDED_THREADS"),
            (self.embedded_ctx, "CLH_EMBEDDED_CTX"),
        ):
            if value <= 0:
                raise LLMConfigError(f"{env} must be greater than 0 (got {value})")
        for value, env in (
            (self.concurrency or 0, "CLH_LLM_CONCURRENCY"),
            (self.max_retries, "CLH_LLM_MAX_RETRIES"),
            (self.max_reasks, "CLH_LLM_MAX_REASKS"),
        ):
            if value < 0:
                raise LLMConfigError(f"{env} must be 0 or more (got {value})")
        if self.embedded_gguf and not os.path.isfile(self.embedded_gguf):
            raise LLMConfigError(
                f"CLH_EMBEDDED_GGUF={self.embedded_gguf!r} is not a file: point it at a GGUF "
                "model file, or unset it to use the packaged model"
            )


def _coerce(type_name: str, raw: str) -> Any:
    if "float" in type_name:
        return float(raw)
    if "int" in type_name:
        return int(raw)
    return raw


def parse_decoding(text: str) -> dict[str, Any]:
    """Read a decoding option: ``thinking``, ``structured`` or ``agent=mode`` pairs.

    Returns:
        ``{"decoding": mode, "agent_decoding": {}}`` for one mode, ``{"agent_decoding": {...}}``
        for pairs.

    Raises:
        ValueError: for an unknown mode or agent.
    """
    if "=" not in text:  # one mode for every agent
        return {"decoding": Decoding(text.strip()).value, "agent_decoding": {}}
    per_agent: dict[str, str] = {}
    for pair in text.split(","):
        agent, _, mode = pair.partition("=")
        if agent.strip() not in AGENTS:
            raise ValueError(
                f"unknown agent {agent.strip()!r} in decoding setting; "
                f"agents are {', '.join(AGENTS)}"
            )
        per_agent[agent.strip()] = Decoding(mode.strip()).value
    return {"agent_decoding": per_agent}
