import pytest
from langchain_core.load import dumps
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration
from langchain_core.prompts import PromptTemplate

from clh_llm.errors import LLMConfigError
from clh_llm.response_cache import SQLiteResponseCache


def test_a_cached_answer_comes_back_as_it_was_stored(tmp_path) -> None:
    cache = SQLiteResponseCache(tmp_path / "answers.sqlite", "model-a")
    answer = [ChatGeneration(message=AIMessage(content="yes"))]
    cache.update("prompt", "settings", answer)
    (revived,) = cache.lookup("prompt", "settings") or []
    assert isinstance(revived, ChatGeneration)
    assert revived.message.content == "yes"


def test_a_row_holding_another_kind_of_object_is_asked_again(tmp_path) -> None:
    cache = SQLiteResponseCache(tmp_path / "answers.sqlite", "model-a")
    cache.update("prompt", "settings", [ChatGeneration(message=AIMessage(content="yes"))])
    foreign = dumps([PromptTemplate.from_template("{x}")])
    cache._db.execute("UPDATE responses SET value = ?", (foreign,))
    assert cache.lookup("prompt", "settings") is None


def test_a_file_that_is_no_database_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "answers.sqlite"
    path.write_text("notes, not answers\n" * 100)
    with pytest.raises(LLMConfigError, match=r"answers\.sqlite cannot be used .*--response-cache"):
        SQLiteResponseCache(path, "model-a")
