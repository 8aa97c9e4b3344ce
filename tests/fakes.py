"""Test doubles: a scripted OpenAI-compatible HTTP server on loopback."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def completion(
    content: str,
    *,
    prompt_tokens: int = 11,
    completion_tokens: int = 7,
    cached: int = 0,
    reasoning: str | None = None,
    top_logprobs: dict[str, float] | None = None,
    finish_reason: str = "stop",
) -> dict[str, Any]:
    """Build a chat completion body as vLLM / llama.cpp return it (``top_logprobs``: the first
    token's alternatives, token -> logprob)."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    choice: dict[str, Any] = {"index": 0, "finish_reason": finish_reason, "message": message}
    if top_logprobs is not None:
        alternatives = [
            {"token": t, "logprob": lp, "bytes": None} for t, lp in top_logprobs.items()
        ]
        choice["logprobs"] = {
            "content": [{**alternatives[0], "top_logprobs": alternatives}],
            "refusal": None,
        }
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [choice],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    }


class FakeOpenAIServer:
    """Answers chat completions from a script of steps: a body, an HTTP status, or a hang.

    With ``answer`` (request body -> completion body), requests past the script are answered
    by it, each after ``delay_s`` (a model that takes a fixed time).
    """

    def __init__(
        self,
        models: tuple[str, ...] = ("fake-model",),
        models_page: str | None = None,
        *,
        answer: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        delay_s: float = 0.0,
    ) -> None:
        self.models = models
        self.models_page = models_page  # a body that is no model list (an HTML page, say)
        self.answer = answer
        self.delay_s = delay_s
        self.script: deque[tuple[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if server.models_page is not None:
                    data = server.models_page.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                elif self.path.endswith("/models"):
                    self._send(
                        200,
                        {
                            "object": "list",
                            "data": [{"id": m, "object": "model"} for m in server.models],
                        },
                    )
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                server.requests.append(body)
                if server.script:
                    kind, value = server.script.popleft()
                elif server.answer is not None:
                    time.sleep(server.delay_s)
                    kind, value = "json", server.answer(body)
                else:
                    kind, value = "status", 500
                if kind == "hang":
                    time.sleep(value)
                    return
                if kind == "raw":  # a 200 whose body is not what the API promises
                    data = value.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if kind == "status":
                    self._send(
                        value, {"error": {"message": f"scripted {value}", "type": "server_error"}}
                    )
                    return
                self._send(200, value)

        self._http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._http.block_on_close = False  # a scripted hang must not hold up the test's end
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def then(self, kind: str, value: Any) -> FakeOpenAIServer:
        """Append a step: ("json", body), ("raw", text), ("status", code) or ("hang", s)."""
        self.script.append((kind, value))
        return self

    @contextmanager
    def running(self) -> Iterator[FakeOpenAIServer]:
        """Serve in a background thread for the duration of the block."""
        thread = threading.Thread(target=self._http.serve_forever, args=(0.02,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._http.shutdown()
            self._http.server_close()


# -- a chat model that answers by prompt content ---------------------------------------------

from langchain_core.messages import AIMessage  # noqa: E402

Rule = tuple[Callable[[str, str], bool], Callable[[str, str], str]]


class FakeChatModel:
    """Answers each request with the first rule whose predicate matches (system, user) text.

    Parallel branches interleave, so replies depend on the prompt, never on call order. Every
    prompt is kept in ``prompts`` for assertions.
    """

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.prompts: list[tuple[str, str]] = []
        self.bound: list[dict[str, Any]] = []

    def bind(self, **kwargs: Any) -> FakeChatModel:
        self.bound.append(kwargs)
        return self

    async def ainvoke(self, messages: list[dict[str, str]]) -> AIMessage:
        system = "\n".join(m["content"] for m in messages if m["role"] == "system")
        user = "\n".join(m["content"] for m in messages if m["role"] != "system")
        self.prompts.append((system, user))
        for predicate, reply in self.rules:
            if predicate(system, user):
                text = reply(system, user)  # a reply function may raise, like a server
                if isinstance(text, AIMessage):  # a full message (logprobs, metadata)
                    return text
                return AIMessage(
                    content=text,
                    usage_metadata={
                        "input_tokens": len((system + user).split()),
                        "output_tokens": len(text.split()),
                        "total_tokens": 0,
                    },
                )
        raise AssertionError(f"no fake rule for prompt: {user[:300]}")


def agent_is(name: str) -> Callable[[str, str], bool]:
    """Match prompts of one agent by the words its system prompt starts with."""
    markers = {
        "evidence_extractor": "reading a clinical note before coding",
        "index_navigator": "working in the ICD-10-CM Alphabetic Index",
        "tabular_validator": "verifying candidate codes in the ICD-10-CM Tabular",
        "scored_verifier": "verifying ICD-10-CM codes against a clinical note",
        "code_reconciler": "finalizing the ICD-10-CM code set",
        "choice": "choosing ICD-10-CM codes for a clinical note",
    }
    return lambda system, _user: markers[name] in system


def pick_lines(*needles: str) -> Callable[[str, str], str]:
    """Reply with the IDs of the offered lines containing the needles, in needle order."""

    def reply(_system: str, user: str) -> str:
        ids: list[str] = []
        lines = [line for line in user.splitlines() if line.startswith("ID: ")]
        for needle in needles:
            for line in lines:
                number = line.split("|", 1)[0].removeprefix("ID: ").strip()
                if needle in line and number not in ids:
                    ids.append(number)
        return f"<think>matching {needles}</think><answer>{', '.join(ids) or '0'}</answer>"

    return reply


class FakeSearcher:
    """Keyword search over the fixture release's index: hits are entries sharing a word."""

    def __init__(self, icd: Any) -> None:
        self.icd = icd
        self.queries: list[str] = []

    def encode_queries(self, texts: Any) -> list[list[float]]:
        """Embed nothing: this keyword search ignores ``dense_vector``."""
        return [[] for _ in texts]

    def search(self, query: str, *, k: int = 10, mode: Any = None, **_: Any) -> list[Any]:
        from tools.index_search.searcher import HitCode, SearchHit, XrefHit

        self.queries.append(query)
        words = {w.lower() for w in query.split() if len(w) > 2}
        hits = []
        for entry in self.icd.index_entries():
            if words & {w.lower().strip(",()") for w in entry.path.split()}:
                xrefs = []
                for target in self.icd.resolve_xref(entry.id):
                    if target.entry_id is None:
                        continue
                    goal = self.icd.index_entry(target.entry_id)
                    xrefs.append(
                        XrefHit(
                            target.kind,
                            target.text,
                            goal.path,
                            target.exact,
                            tuple(HitCode(c.code, c.role, c.incomplete) for c in goal.codes),
                        )
                    )
                hits.append(
                    SearchHit(
                        entry.id,
                        entry.source,
                        entry.path,
                        entry.display,
                        1.0,
                        tuple(HitCode(c.code, c.role, c.incomplete) for c in entry.codes),
                        entry.see,
                        entry.see_also,
                        tuple(xrefs),
                    )
                )
        return hits[:k]


def answer_by_rules(rules: list[Rule]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Answer an HTTP chat request the way :class:`FakeChatModel` answers ``rules``."""

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        messages = body.get("messages", [])
        system = "\n".join(m["content"] for m in messages if m["role"] == "system")
        user = "\n".join(m["content"] for m in messages if m["role"] != "system")
        for predicate, reply in rules:
            if predicate(system, user):
                return completion(reply(system, user))
        return completion("<answer>0</answer>")

    return answer
