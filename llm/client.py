"""Ask the model: transport retries, bounded re-asks of malformed answers, accounting.

A malformed answer never raises: after ``max_reasks`` corrections the caller gets an
:class:`AnswerFailure` to record in the graph state, and the rest of the note is still coded. A
server that stays unreachable raises :class:`LLMUnavailableError`, which stops the run cleanly
(the checkpoint keeps what was done).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import weakref
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

import openai
from langchain_core.messages import AIMessage, BaseMessage

from llm.answers import (
    AnswerError,
    id_answer_schema,
    option_probabilities,
    parse_id_answer,
    split_reasoning,
    yes_probability,
)
from llm.chat import Endpoint, build_chat_model, resolve_endpoint
from llm.errors import LLMUnavailableError
from llm.ledger import CallRecord, Ledger
from llm.response_cache import served_from_cache
from llm.settings import Decoding, LLMSettings

T = TypeVar("T")
Message = dict[str, str]
_TRANSIENT = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)
# What the openai client and langchain-openai raise for a 200 reply that is not a completion.
_MALFORMED_RESPONSE = (
    json.JSONDecodeError,
    openai.APIResponseValidationError,
    IndexError,
    KeyError,
    TypeError,
)


def reask_plainly(reason: str) -> str:
    """Word a correction that names what was wrong and refers to the first message's form."""
    return (
        f"Your reply could not be used: {reason}. Reply again in the form the first message "
        "asks for."
    )


def reask_for_ids(reason: str, *, structured: bool) -> str:
    """Word the correction of a reply that should have selected offered IDs."""
    if structured:
        return f'Your reply could not be used: {reason}. Reply with the JSON {{"ids": [...]}} only.'
    return (
        f"Your reply could not be used: {reason}. Reply again and end with the IDs inside "
        "<answer>...</answer> (<answer>0</answer> if none applies)."
    )


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
        reason = ""
        for _attempt in range(self.settings.max_reasks + 1):
            message, record = await self._call(agent, conversation, schema, note_id)
            if message is None:
                calls.append(record)
                return AnswerFailure(agent, record.outcome, "", tuple(calls))
            raw = message.content if isinstance(message.content, str) else str(message.content)
            reasoning, reply = split_reasoning(
                raw, message.additional_kwargs.get("reasoning_content")
            )
            try:
                if message.response_metadata.get("finish_reason") == "length" and schema:
                    kept = salvage(raw) if salvage else None
                    if kept:
                        calls.append(replace(record, outcome="truncated"))
                        self.ledger.add(calls[-1])
                        cut = (
                            f"the reply reached the limit of {self.settings.max_tokens} tokens: "
                            "kept what was complete before the cut"
                        )
                        return Answer(kept, reply, reasoning, tuple(calls), (*reasons, cut))
                    # A constrained reply cut at the token limit is invalid JSON by definition.
                    raise AnswerError(
                        f"the reply reached the limit of {self.settings.max_tokens} "
                        "tokens; answer more briefly"
                    )
                value = parse(raw)
            except AnswerError as exc:
                reason = str(exc)
                reasons.append(reason)
                calls.append(replace(record, outcome="malformed"))
                self.ledger.add(calls[-1])
                conversation += [
                    {"role": "assistant", "content": raw},
                    {"role": "user", "content": reask(reason)},
                ]
                continue
            calls.append(record)
            self.ledger.add(record)
            return Answer(value, reply, reasoning, tuple(calls), tuple(reasons))
        return AnswerFailure(
            agent, f"no usable answer after {len(calls)} tries: {reason}", reply, tuple(calls)
        )

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
        self.ledger.add(record)
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
        model, semaphore = self._loop_state()
        if options:
            model = model.bind(**options)
        if schema is not None:
            model = model.bind(
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "schema": schema, "strict": True},
                }
            )
        retries = 0
        async with semaphore:
            started = time.perf_counter()  # latency of the request, not of the queue before it
            while True:
                try:
                    message = await model.ainvoke(conversation)
                    break
                except openai.LengthFinishReasonError as exc:
                    # With a response_format the openai client refuses a reply cut at the
                    # token limit; keep it (and its usage) so the caller can re-ask.
                    message = _truncated_message(exc)
                    break
                except openai.APITimeoutError as exc:
                    # A hang is not retried: with the default timeout, retries would make a
                    # user wait many times the timeout before hearing of it.
                    self._record(agent, None, started, retries, "unavailable", note_id)
                    raise LLMUnavailableError(
                        f"the model server at {self.endpoint.base_url} did not answer the "
                        f"{agent} within {self.settings.timeout_s:g} s (timed out; "
                        "CLH_LLM_TIMEOUT sets the wait): check that it is running and not "
                        "overloaded"
                    ) from exc
                except _TRANSIENT as exc:
                    if retries >= self.settings.max_retries:
                        self._record(agent, None, started, retries, "unavailable", note_id)
                        raise LLMUnavailableError(
                            f"the model server at {self.endpoint.base_url} failed "
                            f"{retries + 1} times ({type(exc).__name__}: {exc}); check that it "
                            "is running and reachable"
                        ) from exc
                    retries += 1
                    backoff = self.settings.retry_backoff_s * 2 ** (retries - 1)
                    await asyncio.sleep(min(30.0, backoff) * (0.5 + random.random()))
                except openai.NotFoundError as exc:
                    raise LLMUnavailableError(
                        f"the server at {self.endpoint.base_url} does not know model "
                        f"{self.endpoint.model!r} ({exc}); set CLH_LLM_MODEL"
                    ) from exc
                except openai.AuthenticationError as exc:
                    raise LLMUnavailableError(
                        f"the server at {self.endpoint.base_url} refused the API key ({exc}); "
                        "set CLH_LLM_API_KEY"
                    ) from exc
                except openai.BadRequestError as exc:
                    record = self._record(
                        agent, None, started, retries, f"refused: {exc.message}", note_id
                    )
                    return None, record
                except _MALFORMED_RESPONSE as exc:
                    # HTTP 200 with a body that is not a chat completion (a proxy's error page,
                    # no choices): maybe passing, so retried; then this branch fails, visibly.
                    if retries >= self.settings.max_retries:
                        outcome = (
                            f"the server's reply was not a chat completion "
                            f"({type(exc).__name__}: {str(exc)[:200]})"
                        )
                        return None, self._record(agent, None, started, retries, outcome, note_id)
                    retries += 1
        record = self._record(agent, message, started, retries, "ok", note_id, add=False)
        return message if isinstance(message, AIMessage) else None, record

    def _record(
        self,
        agent: str,
        message: BaseMessage | None,
        started: float,
        retries: int,
        outcome: str,
        note_id: str | None,
        *,
        add: bool = True,
    ) -> CallRecord:
        usage = getattr(message, "usage_metadata", None) or {}
        details = usage.get("input_token_details") or {}
        record = CallRecord(
            agent=agent,
            model=self.endpoint.model,
            prompt_tokens=int(usage.get("input_tokens", 0)),
            completion_tokens=int(usage.get("output_tokens", 0)),
            cached_tokens=int(details.get("cache_read", 0) or 0),
            latency_s=round(time.perf_counter() - started, 3),
            retries=retries,
            outcome=outcome,
            note_id=note_id,
            from_cache=served_from_cache(usage),
        )
        if add:
            self.ledger.add(record)
        return record

    def _loop_state(self) -> tuple[Any, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if loop not in self._per_loop:
            chat = self._fixed_chat or build_chat_model(self.settings, self.endpoint)
            self._per_loop[loop] = (chat, asyncio.Semaphore(self.settings.effective_concurrency))
        return self._per_loop[loop]


def _truncated_message(exc: openai.LengthFinishReasonError) -> AIMessage:
    completion = exc.completion
    choice = completion.choices[0] if completion.choices else None
    usage = completion.usage
    cached = 0
    if usage is not None and usage.prompt_tokens_details is not None:
        cached = usage.prompt_tokens_details.cached_tokens or 0
    return AIMessage(
        content=(choice.message.content or "") if choice else "",
        response_metadata={"finish_reason": "length"},
        usage_metadata={
            "input_tokens": usage.prompt_tokens if usage else 0,
            "output_tokens": usage.completion_tokens if usage else 0,
            "total_tokens": usage.total_tokens if usage else 0,
            "input_token_details": {"cache_read": cached},
        },
    )
