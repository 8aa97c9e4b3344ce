"""Checkpoints of coding runs: a SQLite saver that knows clh's own types.

LangGraph deserializes any type by default and warns about the ones nobody registered
("Deserializing unregistered type"); registering ours keeps a resumed run quiet and lets a
deployment turn on ``LANGGRAPH_STRICT_MSGPACK`` without losing them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from graph import schemas
from graph.names import Node

# Every pydantic type the state holds, and the enum of node names the checkpoints record.
STATE_TYPES = (
    schemas.Span,
    schemas.Finding,
    schemas.Candidate,
    schemas.Verdict,
    schemas.Check,
    schemas.Rejected,
    schemas.Failure,
    schemas.CodeAssignment,
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
