"""The model layer: one OpenAI-compatible client for vLLM, any server, or an embedded model.

- ``LLMSettings``: configuration (explicit > environment > default).
- ``build_chat_model``: the one factory of ``ChatOpenAI`` clients.
- ``LLMClient.ask``: a call with transport retries, bounded re-asks on malformed answers,
  accounting, and a typed failure instead of an exception.
- ``answers``: the one parser of ``<answer>`` blocks and structured answers.
"""

from llm.answers import AnswerError, extract_answer, parse_id_answer, split_reasoning
from llm.client import Answer, AnswerFailure, LLMClient
from llm.errors import LLMError, LLMUnavailableError, ModelWeightsError
from llm.ledger import CallRecord, Ledger
from llm.settings import Decoding, LLMSettings

__all__ = [
    "Answer",
    "AnswerError",
    "AnswerFailure",
    "CallRecord",
    "Decoding",
    "LLMClient",
    "LLMError",
    "LLMSettings",
    "LLMUnavailableError",
    "Ledger",
    "ModelWeightsError",
    "extract_answer",
    "parse_id_answer",
    "split_reasoning",
]
