"""A response cache on disk for experiments: the same prompt to the same model is asked once.

LangChain's chat models consult a ``BaseCache`` keyed by the prompt and the model's settings
(model name, temperature, bound options such as ``logprobs`` or ``response_format``), so a
cached answer is one the same request produced. It is meant for evals, where re-scoring a
run after a downstream change should not re-ask the model (``clh eval --response-cache``);
``clh code`` never uses it.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.caches import RETURN_VAL_TYPE, BaseCache
from langchain_core.load import Serializable, dumps, loads
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration

from clh_llm.errors import LLMConfigError

_CACHED_CLASSES: list[type[Serializable]] = [ChatGeneration, AIMessage]
"""What a cached answer may revive: a file that holds anything else (a chat model's manifest
with its own ``base_url``, say) is not trusted, and that answer is asked of the model again."""

CACHE_HIT_MARK = "total_cost"
"""langchain-core marks an answer served from the cache by a zero ``total_cost`` in its usage."""


class SQLiteResponseCache(BaseCache):
    """Model answers in one SQLite file, safe to share between threads of one process."""

    def __init__(self, path: Path, scope: str) -> None:
        """Open (or create) the cache file.

        Args:
            path: the SQLite file.
            scope: which model answers: the model name for the embedded server (its URL is a
                free port, new each run), the URL and model name for a server.

        Raises:
            LLMConfigError: when the file is not a SQLite database or cannot be written.
        """
        self.path = path
        self.scope = scope
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            self._db.commit()
            os.chmod(path, 0o600)  # the prompts it keeps quote the notes
        except (sqlite3.Error, OSError) as exc:
            raise LLMConfigError(
                f"the response cache {path} cannot be used ({exc}): "
                "pass another file to --response-cache, or remove this one"
            ) from exc

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        """Return the cached generations for this request, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM responses WHERE key = ?", (self._key(prompt, llm_string),)
            ).fetchone()
        if row is None:
            return None
        try:
            value: Any = loads(row[0], allowed_objects=_CACHED_CLASSES)
        except (ValueError, TypeError, KeyError):
            return None  # written by another langchain version: ask the model again
        return list(value) if isinstance(value, list) else None

    def update(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        """Store the generations of one request."""
        text = dumps(list(return_val))
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, value) VALUES (?, ?)",
                (self._key(prompt, llm_string), text),
            )
            self._db.commit()

    def clear(self, **kwargs: Any) -> None:
        """Forget every answer."""
        del kwargs
        with self._lock:
            self._db.execute("DELETE FROM responses")
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def _key(self, prompt: str, llm_string: str) -> str:
        # The chat model's settings string names the server's URL: the scope stands for it.
        settings = _API_BASE.sub("", llm_string)
        return hashlib.sha256(f"{self.scope}\x00{settings}\x00{prompt}".encode()).hexdigest()


_API_BASE = re.compile(r'"openai_api_base": "[^"]*",? ?')


def served_from_cache(usage: dict[str, Any] | Sequence[Any] | None) -> bool:
    """Say whether a message's usage metadata carries langchain-core's cache-hit mark."""
    return isinstance(usage, dict) and CACHE_HIT_MARK in usage
