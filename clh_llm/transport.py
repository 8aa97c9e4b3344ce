"""One request to the model server: the options it binds, its retries, and what errors mean.

Connection faults, rate limits, 5xx replies and 200 replies that are no chat completion may
pass, so they are retried a bounded number of times. A hang, an unknown model or a refused key
will not pass: they stop the run with a message that says what to check. A request the server
rejects (e.g. too long for the context) fails that branch only.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any

import openai
from langchain_core.messages import AIMessage, BaseMessage

from clh_llm.settings import LLMSettings

Message = dict[str, str]
TRANSIENT = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)
# What the openai client and langchain-openai raise for a 200 reply that is not a completion.
MALFORMED_RESPONSE = (
    json.JSONDecodeError,
    openai.APIResponseValidationError,
    IndexError,
    KeyError,
    TypeError,
)


@dataclass(frozen=True)
class Fatal:
    """A server error that stops the run: the message that says what to check."""

    error: type[Exception]
    message: str
    """A ``str.format`` template over ``url``, ``model``, ``agent``, ``timeout``, ``tries``,
    ``kind`` (the error's type) and ``error`` (its text)."""
    counted: bool = True
    """Whether the failed call is written to the ledger."""


FATAL: tuple[Fatal, ...] = (
    # A hang is not retried: with the default timeout, retries would make a user wait many
    # times the timeout before hearing of it. (A timeout is a connection error: it comes first.)
    Fatal(
        openai.APITimeoutError,
        "the model server at {url} did not answer the {agent} within {timeout:g} s (timed out; "
        "CLH_LLM_TIMEOUT sets the wait): check that it is running and not overloaded",
    ),
    *(
        Fatal(
            transient,
            "the model server at {url} failed {tries} times ({kind}: {error}); check that it "
            "is running and reachable",
        )
        for transient in TRANSIENT
    ),
    Fatal(
        openai.NotFoundError,
        "the server at {url} does not know model {model!r} ({error}); set CLH_LLM_MODEL",
        counted=False,
    ),
    Fatal(
        openai.AuthenticationError,
        "the server at {url} refused the API key ({error}); set CLH_LLM_API_KEY",
        counted=False,
    ),
)
"""Errors that stop the run, in the order they are matched (the first that fits)."""

_FATAL_TYPES = tuple(fatal.error for fatal in FATAL)
_FAULTS: tuple[type[Exception], ...] = (*_FATAL_TYPES, *MALFORMED_RESPONSE)
"""What :func:`send` turns into a retry or a failure rather than letting it pass up."""
_MAY_PASS: tuple[type[Exception], ...] = (*TRANSIENT, *MALFORMED_RESPONSE)


@dataclass(frozen=True)
class Sent:
    """What one request came to after its retries: a reply, a branch failure, or a fatal error."""

    message: BaseMessage | None
    retries: int
    outcome: str = "ok"
    """``ok`` with a message; otherwise why there is none (the ledger's outcome)."""
    error: Exception | None = None
    """The error that stops the run, if any."""


def bind_options(model: Any, schema: dict[str, Any] | None, options: dict[str, Any] | None) -> Any:
    """Return the chat model with the request's options and JSON schema bound."""
    if options:
        model = model.bind(**options)
    if schema is not None:
        model = model.bind(
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema, "strict": True},
            }
        )
    return model


async def send(model: Any, conversation: list[Message], settings: LLMSettings) -> Sent:
    """Send one request, retrying faults that may pass; what the server says is returned."""
    retries = 0
    while True:
        try:
            return Sent(await model.ainvoke(conversation), retries)
        except openai.LengthFinishReasonError as exc:
            # With a response_format the openai client refuses a reply cut at the token limit;
            # keep it (and its usage) so the caller can re-ask.
            return Sent(_truncated_message(exc), retries)
        except openai.BadRequestError as exc:
            return Sent(None, retries, f"refused: {exc.message}")
        except _FAULTS as exc:
            if not _may_pass(exc) or retries >= settings.max_retries:
                return _gave_up(exc, retries)
            retries += 1
            if isinstance(exc, TRANSIENT):
                backoff = settings.retry_backoff_s * 2 ** (retries - 1)
                await asyncio.sleep(min(30.0, backoff) * (0.5 + random.random()))


def _may_pass(error: Exception) -> bool:
    if isinstance(error, openai.APITimeoutError):
        return False  # see FATAL
    return isinstance(error, _MAY_PASS)


def _gave_up(error: Exception, retries: int) -> Sent:
    if isinstance(error, MALFORMED_RESPONSE):
        # HTTP 200 with a body that is not a chat completion (a proxy's error page, no
        # choices): maybe passing, so retried; then this branch fails, visibly.
        outcome = (
            f"the server's reply was not a chat completion "
            f"({type(error).__name__}: {str(error)[:200]})"
        )
        return Sent(None, retries, outcome)
    return Sent(None, retries, "unavailable", error)


def fatal_for(error: Exception) -> Fatal:
    """Return the row of :data:`FATAL` that an error stopping the run matches."""
    return next(fatal for fatal in FATAL if isinstance(error, fatal.error))


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
