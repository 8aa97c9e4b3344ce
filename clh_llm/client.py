"""Ask the model: bounded re-asks of malformed answers, scored choices, accounting.

One request, with its transport retries, is :mod:`clh_llm.transport`'s.

A malformed answer never raises: after ``max_reasks`` corrections the caller gets an
:class:`AnswerFailure` to record in the graph state, and the rest of the note is still coded. A
server that stays unreachable raises :class:`LLMUnavailableError`, which stops the run cleanly
(the checkpoint keeps what was done).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from langchain_core.messages import AIMessage, BaseMessage

from clh_llm.answers import (
    AnswerError,
    id_answer_schema,
    option_probabilities,
    parse_id_answer,
    split_reasoning,
    yes_probability,
)
from clh_llm.chat import Endpoint, build_chat_model, resolve_endpoint
from clh_llm.errors import LLMUnavailableError
from clh_llm.ledger import CallRecord, Ledger
from clh_llm.reasks import reask_for_ids, reask_plainly
from clh_llm.response_cache import served_from_cache
from clh_llm.settings import Decoding, LLMSettings
from clh_llm.transport import Message, Sent, bind_options, fatal_for, send

T = TypeVar("T")


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A usable answer, with the reasoning that led to it and the calls it took."""

    value: T
    reply: str
    reasoning: str
    calls: tuple[CallRecord, ...] = field(default_factory=tuple)
    reasks: tuple[str, ...] = ()
    """Why earlier replies were refused and re-asked (empty when the first reply was usable)."""


@dataclass(frozen=True)
class AnswerFailure:
    """An agent that gave no usable answer: recorded, visible, never an invented result."""

    agent: str
    reason: str
    last_reply: str
    calls: tuple[CallRecord, ...] = field(default_factory=tuple)


class LLMClient:
    """Send agent prompts to one endpoint with a limit on requests in flight."""

    def __init__(
        self,
        settings: LLMSettings,
        endpoint: Endpoint,
        *,
        chat_model: Any | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.settings = settings
        self.endpoint = endpoint
        self.ledger = ledger or Ledger()
        self._fixed_chat = chat_model
        # Per event loop: an async HTTP client and a semaphore belong to the loop that made them.
        self._per_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[Any, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()

    @classmethod
    def from_settings(
        cls,
        settings: LLMSettings,
        cache_dir: Path,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> LLMClient:
        """Resolve the endpoint (starting the embedded server if needed) and build a client."""
        return cls(settings, resolve_endpoint(settings, cache_dir, progress=progress))

    def decoding_for(self, agent: str) -> Decoding:
        """Return the decoding mode the settings give this agent."""
        return self.settings.decoding_for(agent)

    async def ask_ids(
        self,
        agent: str,
        messages: Sequence[Message],
        offered: Collection[int],
        *,
        multiple: bool,
        note_id: str | None = None,
    ) -> Answer[list[int]] | AnswerFailure:
        """Ask for IDs among ``offered`` (0 = none), by thinking or structured decoding."""
        structured = self.decoding_for(agent) is Decoding.STRUCTURED

        def parse(reply: str) -> list[int]:
            return parse_id_answer(reply, offered, multiple=multiple, structured=structured)

        def reask(reason: str) -> str:
            return reask_for_ids(reason, structured=structured)

        schema = id_answer_schema(offered, multiple=multiple) if structured else None
        return await self.ask(agent, messages, parse, schema=schema, note_id=note_id, reask=reask)

    async def ask(
        self,
        agent: str,
        messages: Sequence[Message],
        parse: Callable[[str], T],
        *,
        schema: dict[str, Any] | None = None,
        note_id: str | None = None,
        salvage: Callable[[str], T] | None = None,
        reask: Callable[[str], str] = reask_plainly,
    ) -> Answer[T] | AnswerFailure:
        """Call the model until ``parse`` accepts its reply, at most ``1 + max_reasks`` times.

        ``salvage`` reads what is whole in a structured reply cut at the token limit (a list's
        complete items); a non-empty salvage is kept, with the cut recorded, instead of
        re-asking a model that already ran out of room.

        ``reask`` words the correction sent after a refused reply, from the reason it was
        refused: the caller knows the shape its prompt asked for (IDs, a findings list...).

        Raises:
            LLMUnavailableError: when the server cannot be reached after the retries.
        """
        conversation: list[Message] = list(messages)
        calls: list[CallRecord] = []
        reasons: list[str] = []
        reply = ""
        for _attempt in range(self.settings.max_reasks + 1):
            message, record = await self._call(agent, conversation, schema, note_id)
            if message is None:
                return AnswerFailure(agent, record.outcome, "", (*calls, record))
            raw = message.content if isinstance(message.content, str) else str(message.content)
            reasoning, reply = split_reasoning(
                raw, message.additional_kwargs.get("reasoning_content")
            )
            try:
                value, cut = self._read(message, raw, parse, schema, salvage)
            except AnswerError as exc:
                reasons.append(str(exc))
                calls.append(self._keep(replace(record, outcome="malformed")))
                conversation += [
                    {"role": "assistant", "content": raw},
                    {"role": "user", "content": reask(reasons[-1])},
                ]
                continue
            calls.append(self._keep(replace(record, outcome="truncated") if cut else record))
            kept_reasons = (*reasons, cut) if cut else tuple(reasons)
            return Answer(value, reply, reasoning, tuple(calls), kept_reasons)
        last = reasons[-1] if reasons else ""
        return AnswerFailure(
            agent, f"no usable answer after {len(calls)} tries: {last}", reply, tuple(calls)
        )

    def _read(
        self,
        message: AIMessage,
        raw: str,
        parse: Callable[[str], T],
        schema: dict[str, Any] | None,
        salvage: Callable[[str], T] | None,
    ) -> tuple[T, str]:
        """Return a reply's value, and the note of a cut when only its complete part is kept.

        Raises:
            AnswerError: when the reply cannot be used (the reason is shown to the model).
        """
        if message.response_metadata.get("finish_reason") == "length" and schema:
            kept = salvage(raw) if salvage else None
            if kept:
                return kept, (
                    f"the reply reached the limit of {self.settings.max_tokens} tokens: "
                    "kept what was complete before the cut"
                )
            # A constrained reply cut at the token limit is invalid JSON by definition.
            raise AnswerError(
                f"the reply reached the limit of {self.settings.max_tokens} "
                "tokens; answer more briefly"
            )
        return parse(raw), ""

    async def score_yes(
        self, agent: str, messages: Sequence[Message], *, note_id: str | None = None
    ) -> Answer[float] | AnswerFailure:
        """Ask a yes/no question; the answer is P(yes) from the first token's top logprobs.

        One token is generated: with the note first and the question last, a server's prefix
        cache serves the note to every question about it.

        Raises:
            LLMUnavailableError: when the server cannot be reached after the retries.
        """
        return await self._score(agent, messages, yes_probability, 10, note_id)

    async def score_options(
        self,
        agent: str,
        messages: Sequence[Message],
        labels: Sequence[str],
        *,
        note_id: str | None = None,
    ) -> Answer[dict[str, float]] | AnswerFailure:
        """Ask a lettered multiple-choice question; the answer is each option's probability.

        One token is generated, as in :meth:`score_yes`; each label's probability is its share
        of the first token's top 20 logprobs among the labels (they sum to 1).

        Args:
            agent: the agent asking (for accounting).
            messages: the note, then the question with its options labelled ``labels``.
            labels: the option labels, e.g. ``["A", "B", "C"]``.
            note_id: the note, for accounting.

        Raises:
            LLMUnavailableError: when the server cannot be reached after the retries.
        """

        def read(logprobs: Any) -> dict[str, float]:
            return option_probabilities(logprobs, labels)

        return await self._score(agent, messages, read, 20, note_id)

    async def _score(
        self,
        agent: str,
        messages: Sequence[Message],
        read: Callable[[Any], T],
        top_logprobs: int,
        note_id: str | None,
    ) -> Answer[T] | AnswerFailure:
        scoring = {"logprobs": True, "top_logprobs": top_logprobs, "max_tokens": 1}
        message, record = await self._call(agent, list(messages), None, note_id, scoring)
        if message is None:
            return AnswerFailure(agent, record.outcome, "", (record,))
        self._keep(record)
        reply = message.content if isinstance(message.content, str) else str(message.content)
        try:
            value = read(message.response_metadata.get("logprobs"))
        except AnswerError as exc:
            return AnswerFailure(agent, str(exc), reply, (record,))
        return Answer(value, reply, "", (record,), ())

    async def _call(
        self,
        agent: str,
        conversation: list[Message],
        schema: dict[str, Any] | None,
        note_id: str | None,
        options: dict[str, Any] | None = None,
    ) -> tuple[AIMessage | None, CallRecord]:
        """Send one request under the concurrency limit; return its reply (or None) and record.

        A failed request is written to the ledger here; a reply's record is written by the
        caller, which knows whether the reply was usable.

        Raises:
            LLMUnavailableError: for an error that stops the run (see ``transport.FATAL``).
        """
        model, semaphore = self._loop_state()
        model = bind_options(model, schema, options)
        async with semaphore:
            started = time.perf_counter()  # latency of the request, not of the queue before it
            sent = await send(model, conversation, self.settings)
            record = self._record(agent, sent, started, note_id)
        fatal = fatal_for(sent.error) if sent.error is not None else None
        if sent.outcome != "ok" and (fatal is None or fatal.counted):
            self._keep(record)
        if fatal is not None:
            error = sent.error
            raise LLMUnavailableError(
                fatal.message.format(
                    url=self.endpoint.base_url,
                    model=self.endpoint.model,
                    agent=agent,
                    timeout=self.settings.timeout_s,
                    tries=sent.retries + 1,
                    kind=type(error).__name__,
                    error=error,
                )
            ) from error
        return (sent.message if isinstance(sent.message, AIMessage) else None), record

    def _record(self, agent: str, sent: Sent, started: float, note_id: str | None) -> CallRecord:
        message: BaseMessage | None = sent.message
        usage = getattr(message, "usage_metadata", None) or {}
        details = usage.get("input_token_details") or {}
        return CallRecord(
            agent=agent,
            model=self.endpoint.model,
            prompt_tokens=int(usage.get("input_tokens", 0)),
            completion_tokens=int(usage.get("output_tokens", 0)),
            cached_tokens=int(details.get("cache_read", 0) or 0),
            latency_s=round(time.perf_counter() - started, 3),
            retries=sent.retries,
            outcome=sent.outcome,
            note_id=note_id,
            from_cache=served_from_cache(usage),
        )

    def _keep(self, record: CallRecord) -> CallRecord:
        """Write a call to the ledger (the one place that does) and return it."""
        self.ledger.add(record)
        return record

    def _loop_state(self) -> tuple[Any, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if loop not in self._per_loop:
            chat = self._fixed_chat or build_chat_model(self.settings, self.endpoint)
            self._per_loop[loop] = (chat, asyncio.Semaphore(self.settings.effective_concurrency))
        return self._per_loop[loop]
