"""The one factory of chat models, and where the model server's endpoint is decided.

vLLM's ``--reasoning-parser`` moves the reasoning into ``reasoning_content``, a field that
``ChatOpenAI`` drops; :class:`ReasoningChatOpenAI` keeps it in
``additional_kwargs["reasoning_content"]`` so the audit trail has it either way.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from clh_llm.embedded import EmbeddedConfig, embedded_server
from clh_llm.errors import LLMUnavailableError
from clh_llm.response_cache import SQLiteResponseCache
from clh_llm.settings import LLMSettings
from clh_llm.weights import ensure_weights, model_spec

_PROBE_TIMEOUT_S = 10.0


class ReasoningChatOpenAI(ChatOpenAI):
    """``ChatOpenAI`` that keeps a separate ``reasoning_content`` (or ``reasoning``) field."""

    def _create_chat_result(
        self, response: dict[str, Any] | Any, generation_info: dict[str, Any] | None = None
    ) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        raw = response if isinstance(response, dict) else response.model_dump()
        for generation, choice in zip(result.generations, raw.get("choices") or [], strict=False):
            message = choice.get("message") or {}
            reasoning = message.get("reasoning_content") or message.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                generation.message.additional_kwargs["reasoning_content"] = reasoning
        return result


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where requests go and which model answers them."""

    base_url: str
    model: str
    embedded: bool
    load_seconds: float = 0.0


def expected_model(settings: LLMSettings) -> str | None:
    """Return the name the model will answer under, without starting or asking any server.

    None: a server that is not told a model names the one it serves when asked.
    """
    if settings.model or settings.base_url:
        return settings.model
    if settings.embedded_gguf:
        return Path(settings.embedded_gguf).stem
    return model_spec(settings.embedded_model).name


def resolve_endpoint(
    settings: LLMSettings, cache_dir: Path, *, progress: Callable[[str], None] | None = None
) -> Endpoint:
    """Return the configured server, or start the embedded one (assembling its weights once).

    Raises:
        LLMUnavailableError: when a configured server does not answer or lacks the model.
        ModelWeightsError, EmbeddedServerError: when the embedded model cannot be served.
    """
    if settings.base_url:
        base_url = settings.base_url.rstrip("/")
        served = list_models(base_url, settings.api_key, min(settings.timeout_s, _PROBE_TIMEOUT_S))
        if not settings.model and not served:
            raise LLMUnavailableError(
                f"the model server at {base_url} lists no model at GET /models: "
                "set CLH_LLM_MODEL to the model it serves"
            )
        model = settings.model or served[0]
        if served and model not in served:
            raise LLMUnavailableError(
                f"the server at {base_url} does not serve model {model!r}; it serves: "
                f"{', '.join(served)}. Set CLH_LLM_MODEL to one of them."
            )
        return Endpoint(base_url, model, embedded=False)
    spec = model_spec(settings.embedded_model)
    gguf = (
        Path(settings.embedded_gguf)
        if settings.embedded_gguf
        else ensure_weights(spec, cache_dir, progress=progress)
    )
    alias = expected_model(settings) or spec.name
    server = embedded_server(
        EmbeddedConfig(
            gguf,
            alias,
            settings.embedded_threads,
            settings.embedded_ctx,
            settings.effective_concurrency,
        )
    )
    return Endpoint(server.base_url, alias, embedded=True, load_seconds=server.load_seconds)


def list_models(
    base_url: str, api_key: str | None, timeout_s: float = _PROBE_TIMEOUT_S
) -> list[str]:
    """Ask an OpenAI-compatible server which models it serves (bounded wait).

    Raises:
        LLMUnavailableError: naming the URL when the server cannot be reached in time.
    """
    request = urllib.request.Request(f"{base_url}/models")
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise LLMUnavailableError(
            f"the model server at {base_url} answered HTTP {exc.code} to GET /models "
            "(wrong URL? it must end in /v1; wrong API key? set CLH_LLM_API_KEY)"
        ) from exc
    except (OSError, ValueError) as exc:
        raise LLMUnavailableError(_unreachable(base_url, exc, timeout_s)) from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise LLMUnavailableError(
            f"the server at {base_url} answered GET /models with something that is not JSON "
            f"({body[:40]!r}): it is not an OpenAI-compatible server (the URL must end in /v1)"
        ) from exc
    listed = data.get("data") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        raise LLMUnavailableError(
            f"the model server at {base_url} answered GET /models without a model list "
            "(is it an OpenAI-compatible server? the URL must end in /v1)"
        )
    return [str(m.get("id")) for m in listed if isinstance(m, dict) and m.get("id")]


def _unreachable(base_url: str, exc: BaseException, timeout_s: float) -> str:
    """Say why GET /models got no answer: a timeout (with the wait) or the connection's error."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
        return (
            f"the model server at {base_url} did not answer GET /models within {timeout_s:g} s "
            "(the probe waits CLH_LLM_TIMEOUT, at most 10 s): check that the server is running"
        )
    return (
        f"cannot reach the model server at {base_url} ({reason}): check CLH_LLM_BASE_URL "
        "and that the server is running"
    )


def build_chat_model(settings: LLMSettings, endpoint: Endpoint) -> ChatOpenAI:
    """Build the chat model for an endpoint; retries are done by the caller, so none here.

    Each call builds its own async HTTP client: an httpx client is bound to the event loop that
    first uses it, and langchain-openai would otherwise share one across loops (a second
    ``asyncio.run`` then fails with "Event loop is closed"). The sync client, never used, is
    given too: langchain-openai would otherwise build one through openai's httpx2, which since
    httpx2 2.17 refuses httpx's ``Timeout``; the timeout stays that object, as it is part of
    every response cache's key (``request_timeout`` in the model's settings string).
    """
    timeout = httpx.Timeout(settings.timeout_s, connect=min(settings.timeout_s, _PROBE_TIMEOUT_S))
    return ReasoningChatOpenAI(
        http_client=httpx.Client(timeout=timeout),
        http_async_client=httpx.AsyncClient(timeout=timeout),
        base_url=endpoint.base_url,
        api_key=SecretStr(settings.api_key or "not-needed"),
        model=endpoint.model,
        temperature=settings.temperature,
        max_completion_tokens=settings.max_tokens,
        timeout=timeout,
        max_retries=0,
        cache=_response_cache(settings.response_cache, endpoint),
    )


_caches: dict[tuple[str, str], SQLiteResponseCache] = {}


def _response_cache(path: str | None, endpoint: Endpoint) -> SQLiteResponseCache | None:
    """Return the response cache at ``path`` for this endpoint's model, or None."""
    if not path:
        return None
    scope = endpoint.model if endpoint.embedded else f"{endpoint.base_url} {endpoint.model}"
    if (path, scope) not in _caches:
        _caches[(path, scope)] = SQLiteResponseCache(Path(path).expanduser(), scope)
    return _caches[(path, scope)]
