"""What is indexed: one document per index entry, with the payload a hit needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from icd_resources import IcdResources, IndexEntry


@dataclass(frozen=True, slots=True)
class IndexDocument:
    """One searchable entry: ``text`` is embedded; ``payload`` comes back with a hit.

    The payload keeps LangChain's ``page_content``/``metadata`` layout, so a server collection
    can also be read by ``langchain-qdrant``.
    """

    id: int
    text: str
    payload: dict[str, Any]


def entry_text(entry: IndexEntry) -> str:
    """Return the text a coder would read for an entry: its full path and its modifiers."""
    return f"{entry.path} {entry.nemod}".strip()


def entry_payload(entry: IndexEntry) -> dict[str, Any]:
    """Return the payload stored with an entry."""
    return {
        "page_content": entry_text(entry),
        "metadata": {
            "entry_id": entry.id,
            "source": entry.source.value,
            "path": entry.path,
            "display": entry.display,
            "codes": [
                {"code": c.code, "role": c.role, "incomplete": c.incomplete} for c in entry.codes
            ],
            "see": entry.see,
            "see_also": entry.see_also,
        },
        "source": entry.source.value,  # top level too: filtered on at query time
    }


def index_documents(icd: IcdResources) -> Iterator[IndexDocument]:
    """Yield a document for every index entry of every source, in index order."""
    for entry in icd.index_entries():
        if not entry.title:  # a handful of reconstructed entries have no title at all
            continue
        yield IndexDocument(entry.id, entry_text(entry), entry_payload(entry))
