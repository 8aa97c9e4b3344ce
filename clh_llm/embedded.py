"""The embedded model server: llama.cpp's own OpenAI-compatible server, in-process (xllamacpp).

One server per (model file, threads, context, slots) is started on a free 127.0.0.1 port the
first time it is needed and stopped when the interpreter exits.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clh_llm.errors import EmbeddedServerError, ModelWeightsError

_GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True, slots=True)
class EmbeddedConfig:
    """What identifies one embedded server."""

    model_path: Path
    alias: str
    threads: int
    ctx_per_slot: int
    slots: int
    port: int | None = None  # None: a free port


class EmbeddedServer:
    """A running llama.cpp server; ``base_url`` ends in ``/v1``."""

    def __init__(self, config: EmbeddedConfig) -> None:
        self.config = config
        self._server: Any = None
        self.base_url = ""
        self.load_seconds = 0.0

    def start(self) -> None:
        """Load the model and start serving.

        Raises:
            ModelWeightsError: for a file that is not a GGUF.
            EmbeddedServerError: when llama.cpp cannot load it or the server does not come up.
        """
        path = self.config.model_path
        with path.open("rb") as handle:
            if handle.read(4) != _GGUF_MAGIC:
                raise ModelWeightsError(f"{path} is not a GGUF model file (bad magic bytes)")
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = str(path)
        params.model_alias = {self.config.alias}
        params.n_parallel = self.config.slots
        # llama.cpp divides the context among the slots.
        params.n_ctx = self.config.ctx_per_slot * self.config.slots
        params.cpuparams.n_threads = self.config.threads
        params.cpuparams_batch.n_threads = self.config.threads
        params.hostnames = ["127.0.0.1"]
        params.port = self.config.port or _free_port()
        params.verbosity = 1 if os.environ.get("CLH_EMBEDDED_VERBOSE") else -1
        started = time.perf_counter()
        try:
            self._server = xlc.Server(params)
        except RuntimeError as exc:
            raise EmbeddedServerError(
                f"llama.cpp could not load {path} ({exc}); the file may be truncated or corrupt: "
                "delete it and run `clh llm fetch`, or point CLH_EMBEDDED_GGUF at a valid GGUF"
            ) from exc
        self.base_url = f"{self._server.listening_address}/v1"
        _wait_healthy(self._server.listening_address)
        self.load_seconds = time.perf_counter() - started

    def stop(self) -> None:
        """Stop serving and free the model."""
        self._server = None  # xllamacpp shuts the server down when the object is released


_servers: dict[EmbeddedConfig, EmbeddedServer] = {}
_lock = threading.Lock()


def embedded_server(config: EmbeddedConfig) -> EmbeddedServer:
    """Return the running server for ``config``, starting it on first use."""
    with _lock:
        server = _servers.get(config)
        if server is None:
            server = EmbeddedServer(config)
            server.start()
            _servers[config] = server
        return server


@atexit.register
def stop_all() -> None:
    """Stop every embedded server (also registered to run at exit)."""
    with _lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(address: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{address}/health", timeout=2) as response:
                if json.load(response).get("status") == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise EmbeddedServerError(f"the embedded server at {address} did not become healthy")
