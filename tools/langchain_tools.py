"""clh's ICD-10-CM tools as LangChain tools and a retriever, for tool-calling models and apps.

The functions are the same ones the graph's nodes call (:mod:`tools.index_search`,
:mod:`tools.tabular_lookup`, :mod:`tools.guideline_fetch`); these wrappers only give them names,
argument schemas and text answers a model can read.
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import ConfigDict

from icd_resources import IcdResources, ResourceError
from tools.guideline_fetch import guideline_section
from tools.index_search import Searcher, SearchError, SearchHit, hit_line
from tools.tabular_lookup import code_card

_MAX_K = 50


def icd_tools(icd: IcdResources, searcher: Searcher) -> list[BaseTool]:
    """Return the three ICD-10-CM tools bound to a release and an index searcher.

    ``index_search`` looks a term up in the Alphabetic Index, ``tabular_lookup`` shows a code's
    card, ``guideline_fetch`` returns a section of the Official Guidelines. Errors (unknown
    code, empty query, missing guidelines) come back as text the model can act on.
    """

    def index_search(query: str, k: int = 10) -> str:
        """Look a term up in the ICD-10-CM Alphabetic Index; return the matching entries."""
        try:
            hits = searcher.search(query, k=max(1, min(k, _MAX_K)))
        except SearchError as exc:
            return f"error: {exc}"
        return "\n".join(hit_line(h) for h in hits) or "no entries found"

    def tabular_lookup(code: str) -> str:
        """Show a code's Tabular List card: hierarchy, notes, 7th characters, billable codes."""
        try:
            return str(code_card(icd, code)["text"])
        except ResourceError as exc:
            return f"error: {exc}"

    def guideline_fetch(section: str, max_chars: int = 4000) -> str:
        """Return a section of the Official Coding Guidelines by id, e.g. 'I.C.4.a'."""
        try:
            return guideline_section(icd, section, max(200, max_chars))
        except ResourceError as exc:
            return f"error: {exc}"

    return [
        StructuredTool.from_function(index_search),
        StructuredTool.from_function(tabular_lookup),
        StructuredTool.from_function(guideline_fetch),
    ]


class IndexRetriever(BaseRetriever):
    """The Alphabetic Index as a LangChain retriever: one Document per index entry.

    ``page_content`` is the entry as printed; ``metadata`` holds the entry id, source, path,
    codes and score, so a chain can cite where a code came from.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 10

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits: list[SearchHit] = self.searcher.search(query, k=self.k)
        return [
            Document(
                page_content=hit_line(hit),
                metadata={
                    "entry_id": hit.entry_id,
                    "source": str(hit.source),
                    "path": hit.path,
                    "codes": [c.code + ("-" if c.incomplete else "") for c in hit.codes],
                    "score": hit.score,
                },
            )
            for hit in hits
        ]
