"""clh's ICD-10-CM tools through LangChain: a tool-calling model, a retriever, langchain-qdrant."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_qdrant import QdrantVectorStore, RetrievalMode

from icd_resources import IcdResources, ResourceSettings
from tests.conftest import FIXTURE_RELEASE
from tools.index_search import IndexSearcher, SearchSettings, build_index
from tools.index_search.build import server_collection
from tools.index_search.encoders import DenseEncoder
from tools.langchain_tools import IndexRetriever, icd_tools


class ToolCallingFake(GenericFakeChatModel):
    """A scripted chat model that accepts bound tools, as a tool-calling model does."""

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        return self


@pytest.fixture(scope="module")
def server_searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexSearcher]:
    root = tmp_path_factory.mktemp("lc")
    shutil.copytree(FIXTURE_RELEASE, root / "release")
    icd = IcdResources.load(ResourceSettings.resolve([root / "release"], root / "cache"))
    settings = SearchSettings.resolve(qdrant_path=str(root / "cache" / "qdrant-local"))
    build_index(icd, settings, root / "cache")
    searcher = IndexSearcher.open(icd, settings, root / "cache")
    yield searcher
    searcher.close()


def test_a_tool_calling_model_calls_each_tool(server_searcher: IndexSearcher) -> None:
    tools = {t.name: t for t in icd_tools(server_searcher.icd, server_searcher)}
    assert set(tools) == {"index_search", "tabular_lookup", "guideline_fetch"}
    calls = [
        {"name": "index_search", "args": {"query": "adverse effect of penicillin", "k": 3}},
        {"name": "tabular_lookup", "args": {"code": "T36.0X5A"}},
        {"name": "guideline_fetch", "args": {"section": "I.A.12"}},
    ]
    reply = AIMessage(content="", tool_calls=[{**c, "id": f"call{i}"} for i, c in enumerate(calls)])
    model = ToolCallingFake(messages=iter([reply])).bind_tools(list(tools.values()))
    message = model.invoke([HumanMessage("Code: adverse effect of penicillin")])
    results = [tools[call["name"]].invoke(call) for call in message.tool_calls]
    assert all(isinstance(r, ToolMessage) for r in results)
    search, card, guideline = (r.content for r in results)
    assert "Penicillin, adverse effect" in search and "T36.0X5" in search
    assert card.startswith("T36.0X5A") and "7th characters" in card
    assert guideline  # the fixture release may lack the guidelines PDF: then an error line
    assert "error" not in search and "error" not in card


def test_tool_errors_come_back_as_text(server_searcher: IndexSearcher) -> None:
    tools = {t.name: t for t in icd_tools(server_searcher.icd, server_searcher)}
    assert tools["tabular_lookup"].invoke({"code": "not a code"}).startswith("error:")
    assert tools["index_search"].invoke({"query": "   "}).startswith("error:")
    assert tools["guideline_fetch"].invoke({"section": "IX.Z"}).startswith("error:")


def test_the_index_is_a_retriever(server_searcher: IndexSearcher) -> None:
    docs = IndexRetriever(searcher=server_searcher, k=3).invoke("adverse effect of penicillin")
    assert docs[0].metadata["codes"][0].startswith("T36.0X5")
    cell = next(d for d in docs if d.page_content.startswith("Penicillin, adverse effect"))
    assert cell.metadata["source"] == "drug" and cell.metadata["codes"] == ["T36.0X5"]


class MiniLM(Embeddings):
    """The index's own dense encoder as LangChain embeddings."""

    def __init__(self) -> None:
        self.encoder = DenseEncoder(SearchSettings().model)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.encoder.encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_langchain_qdrant_reads_a_server_collection(server_searcher: IndexSearcher) -> None:
    client = server_searcher.backend.client
    store = QdrantVectorStore(
        client=client,
        collection_name=server_collection(server_searcher.icd, server_searcher.settings),
        embedding=MiniLM(),
        retrieval_mode=RetrievalMode.DENSE,
        vector_name="dense",
    )
    docs = store.similarity_search("adverse effect of penicillin", k=5)
    assert docs[0].metadata["codes"][0]["code"] == "T36.0X5"  # the code's description first
    cell = next(d for d in docs if d.page_content.startswith("Penicillin"))
    assert cell.metadata["source"] == "drug"
