"""Accounting of model calls: calls and tokens per note are the cost of coding with LLMs."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One request to the model server.

    ``outcome`` is ``ok``, ``malformed`` (answer re-asked or given up), ``truncated`` (cut at
    the token limit, its complete part kept), ``refused`` (the server
    rejected the request, e.g. too long) or ``unavailable`` (transport failed after retries).
    """

    agent: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    latency_s: float
    retries: int
    outcome: str
    note_id: str | None = None
    from_cache: bool = False
    """Served by the response cache (evals' ``--response-cache``), not asked."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


class Ledger:
    """A thread-safe record of the client's latest calls.

    A long-lived client (``langgraph dev``, a batch) makes calls without end: the ledger keeps
    the latest ``max_records``. Each run's own accounting is kept in its graph state.
    """

    def __init__(self, max_records: int = 10_000) -> None:
        self._records: deque[CallRecord] = deque(maxlen=max_records)
        self._lock = threading.Lock()

    def add(self, record: CallRecord) -> None:
        """Record one call."""
        with self._lock:
            self._records.append(record)

    @property
    def records(self) -> list[CallRecord]:
        """Return a copy of the records so far."""
        with self._lock:
            return list(self._records)


def summarize(records: Iterable[CallRecord | dict[str, Any]]) -> dict[str, Any]:
    """Total calls, tokens, latency, retries and failures, overall and per agent."""
    per_agent: dict[str, dict[str, Any]] = {}
    total = _empty()
    for item in records:
        record = item if isinstance(item, dict) else item.to_dict()
        for bucket in (total, per_agent.setdefault(record["agent"], _empty())):
            bucket["calls"] += 1
            bucket["prompt_tokens"] += record["prompt_tokens"]
            bucket["completion_tokens"] += record["completion_tokens"]
            bucket["cached_tokens"] += record["cached_tokens"]
            bucket["latency_s"] = round(bucket["latency_s"] + record["latency_s"], 3)
            bucket["retries"] += record["retries"]
            bucket["cache_hits"] += bool(record.get("from_cache"))
            if record["outcome"] != "ok":
                bucket["failed_calls"] += 1
    return {"total": total, "per_agent": per_agent}


def _empty() -> dict[str, Any]:
    return {
        "calls": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "cached_tokens": 0,
        "latency_s": 0.0,
        "retries": 0,
        "failed_calls": 0,
        "cache_hits": 0,
    }
