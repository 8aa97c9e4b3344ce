"""What is indexed, with the payload a hit needs.

One document per index entry, and one per tabular description or inclusion term.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from icd_resources import CodeInfo, IcdResources, IndexEntry, IndexSource, NodeKind

TABULAR_ID_BASE = 10_000_000
"""Point ids of tabular documents start here, far above any index entry id."""


@dataclass(frozen=True, slots=True)
class IndexDocument:
    """One searchable entry: ``text`` is searched; ``payload`` comes back with a hit.

    The payload keeps LangChain's ``page_content``/``metadata`` layout, so a server collection
    can also be read by ``langchain-qdrant``.
    """

    id: int
    text: str
    payload: dict[str, Any]
    dense_text: str = ""
    """What the dense vector embeds when not ``text``: a table cell shares its row's vector."""

    @property
    def embedded(self) -> str:
        """Return the text the dense vector is computed from."""
        return self.dense_text or self.text


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


def tabular_payload(doc_id: int, info: CodeInfo, text: str, *, incomplete: bool) -> dict[str, Any]:
    """Return the payload of a tabular document: the entry design, with the code as its path."""
    display = f"{info.code}{'-' if incomplete else ''} {info.description}"
    if text != info.description:
        display += f" (includes: {text})"
    return {
        "page_content": text,
        "metadata": {
            "entry_id": doc_id,
            "source": IndexSource.TABULAR.value,
            "path": f"{info.code} {info.description}",
            "display": display,
            "codes": [{"code": info.code, "role": "code", "incomplete": incomplete}],
            "see": "",
            "see_also": "",
        },
        "source": IndexSource.TABULAR.value,
    }


def tabular_documents(icd: IcdResources) -> Iterator[IndexDocument]:
    """Yield a document per description and inclusion term a coder would look a code up by.

    Descriptions of billable codes, and of the codes that take a 7th character (searched once,
    not once per 7th character: the pool completes them); inclusion terms of any code, pointing
    to the code they are written under (incomplete when it is not billable).
    """
    doc_id = TABULAR_ID_BASE
    searchable: dict[str, CodeInfo] = {}
    for info in icd.codes():
        if info.kind is NodeKind.EXTENSION:
            continue
        takes_seventh = not info.billable and icd.needs_seventh_character(info.code)
        searchable[info.code] = info
        if info.billable or takes_seventh:
            yield IndexDocument(
                doc_id,
                info.description,
                tabular_payload(doc_id, info, info.description, incomplete=not info.billable),
            )
            doc_id += 1
    for code, term in icd.inclusion_terms():
        if code not in searchable:
            continue
        info = searchable[code]
        yield IndexDocument(
            doc_id, term, tabular_payload(doc_id, info, term, incomplete=not info.billable)
        )
        doc_id += 1


def index_documents(icd: IcdResources) -> Iterator[IndexDocument]:
    """Yield a document for every index entry, in index order, then the tabular ones.

    A Drug or Neoplasm Table cell ("Penicillin, adverse effect") is embedded as its row
    ("Penicillin"): the row names the substance or site a query's meaning is about, BM25 matches
    the column's words, and there are a quarter fewer texts to embed (what the build costs:
    docs/search.md).
    """
    rows: dict[int, str] = {}
    for entry in icd.index_entries():
        if not entry.title:  # a handful of reconstructed entries have no title at all
            continue
        text = entry_text(entry)
        if not entry.column:
            rows[entry.id] = text
        row = rows.get(entry.parent_id or -1, "") if entry.column else ""
        yield IndexDocument(entry.id, text, entry_payload(entry), dense_text=row)
    yield from tabular_documents(icd)
