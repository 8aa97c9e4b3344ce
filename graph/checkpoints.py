"""Checkpoints of coding runs: a SQLite or Postgres saver that knows clh's own types.

LangGraph deserializes any type by default and warns about the ones nobody registered
("Deserializing unregistered type"); registering ours keeps a resumed run quiet and lets a
deployment turn on ``LANGGRAPH_STRICT_MSGPACK`` without losing them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from clh_llm import Decoding
from graph import schemas
from graph.names import Node
from graph.plan import RunPlan
from tools.code_checks import Action, Setting
from tools.lanes import Lane

# Every pydantic type the state holds, the enums inside them, and the enum of node names the
# checkpoints record.
STATE_TYPES = (
    schemas.Span,
    schemas.Finding,
    schemas.Candidate,
    schemas.Verdict,
    schemas.Check,
    schemas.Rejected,
    schemas.Failure,
    schemas.CodeAssignment,
    RunPlan,
    Lane,
    Decoding,
    Action,
    Setting,
    Node,  # the names of the nodes a checkpoint says ran (a StrEnum)
)


def serializer() -> JsonPlusSerializer:
    """Return the checkpoint serializer with clh's state types registered."""
    return JsonPlusSerializer(
        allowed_msgpack_modules=[(t.__module__, t.__name__) for t in STATE_TYPES]
    )


@asynccontextmanager
async def sqlite_checkpointer(path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    """Open (or create) a SQLite checkpoint file readable by its owner only (it holds notes)."""
    async with aiosqlite.connect(str(path)) as conn:
        saver = AsyncSqliteSaver(conn, serde=serializer())
        await saver.setup()
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if file.exists():
                os.chmod(file, 0o600)
        yield saver


class CheckpointError(ValueError):
    """A checkpoint store cannot be used (not installed, unreachable, refused)."""


_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    """Say whether a ``--checkpoint`` value names a Postgres database rather than a file."""
    return str(target).startswith(_POSTGRES_SCHEMES)


def masked(uri: str) -> str:
    """Return ``uri`` with its password replaced by ``***``, fit to print or log."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


@asynccontextmanager
async def postgres_checkpointer(uri: str) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """Open a Postgres checkpoint store (its tables are created on first use).

    Raises:
        CheckpointError: when the Postgres extra is not installed or the database refuses
            the connection; the message shows the URI with its password masked.
    """
    try:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg import Error as PsycopgError
    except ImportError as exc:
        raise CheckpointError(
            "Postgres checkpoints need the postgres extra: pip install 'code-like-humans[postgres]'"
        ) from exc
    try:
        async with AsyncPostgresSaver.from_conn_string(uri, serde=serializer()) as saver:
            await saver.setup()
            yield saver
    except PsycopgError as exc:
        # psycopg repeats the DSN in some messages: keep the first line, password masked.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        password = urlsplit(uri).password
        if password:
            reason = reason.replace(password, "***")
        raise CheckpointError(f"the checkpoint database {masked(uri)} failed: {reason}") from exc


@asynccontextmanager
async def open_checkpointer(target: str | Path) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """Open the checkpoint store a ``--checkpoint`` value names: a Postgres URI or a file."""
    if is_postgres(target):
        async with postgres_checkpointer(str(target)) as saver:
            yield saver
    else:
        async with sqlite_checkpointer(Path(target)) as sqlite_saver:
            yield sqlite_saver
