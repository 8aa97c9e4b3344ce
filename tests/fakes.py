"""Test doubles: a scripted OpenAI-compatible HTTP server on loopback."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def completion(
    content: str,
    *,
    prompt_tokens: int = 11,
    completion_tokens: int = 7,
    cached: int = 0,
    reasoning: str | None = None,
) -> dict[str, Any]:
    """Build a chat completion body as vLLM / llama.cpp return it."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    }


class FakeOpenAIServer:
    """Answers chat completions from a script of steps: a body, an HTTP status, or a hang."""

    def __init__(self, models: tuple[str, ...] = ("fake-model",)) -> None:
        self.models = models
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
                if self.path.endswith("/models"):
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
                server.requests.append(json.loads(self.rfile.read(length)))
                kind, value = server.script.popleft() if server.script else ("status", 500)
                if kind == "hang":
                    time.sleep(value)
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
        """Append a step: ("json", body), ("status", code) or ("hang", seconds)."""
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
