"""The model layer: one OpenAI-compatible client for vLLM, any server, or an embedded model.

- ``LLMSettings``: configuration (explicit > environment > default).
- ``build_chat_model``: the one factory of ``ChatOpenAI`` clients.
- ``LLMClient.ask``: a call with transport retries, bounded re-asks on malformed answers,
  accounting, and a typed failure instead of an exception.
- ``answers``: the one parser of ``<answer>`` blocks and structured answers.
"""

from clh_llm.answers import AnswerError, extract_answer, parse_id_answer, split_reasoning
from clh_llm.client import Answer, AnswerFailure, LLMClient
from clh_llm.errors import LLMError, LLMUnavailableError, ModelWeightsError
from clh_llm.ledger import CallRecord, Ledger
from clh_llm.settings import Decoding, LLMSettings

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
