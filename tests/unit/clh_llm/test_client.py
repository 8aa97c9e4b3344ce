"""The client against a scripted OpenAI-compatible server: the real ChatOpenAI/openai stack."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from clh_llm import AnswerFailure, LLMClient, LLMSettings, LLMUnavailableError
from clh_llm.answers import parse_json_answer
from clh_llm.chat import Endpoint, list_models, resolve_endpoint
from clh_llm.ledger import summarize
from tests.fakes import FakeOpenAIServer, completion

PROMPT = [{"role": "user", "content": "Pick the fruit. ID: 1 | apple | ID END: 1"}]


def client_for(server: FakeOpenAIServer, **overrides: object) -> LLMClient:
    settings = LLMSettings.resolve(
        base_url=server.base_url, **{"max_retries": 2, "retry_backoff_s": 0.01, **overrides}
    )
    return LLMClient(settings, Endpoint(server.base_url, "fake-model", embedded=False))


def test_answer_and_accounting_from_usage_fields() -> None:
    server = FakeOpenAIServer().then(
        "json",
        completion(
            "<answer>1</answer>",
            prompt_tokens=40,
            completion_tokens=5,
            cached=32,
            reasoning="apple is a fruit",
        ),
    )
    with server.running():
        client = client_for(server)
        answer = asyncio.run(
            client.ask_ids("index_navigator", PROMPT, [1], multiple=False, note_id="n1")
        )
    assert answer.value == [1] and answer.reasoning == "apple is a fruit"
    (record,) = client.ledger.records
    assert (record.prompt_tokens, record.completion_tokens, record.cached_tokens) == (40, 5, 32)
    assert record.outcome == "ok" and record.note_id == "n1" and record.agent == "index_navigator"
    assert server.requests[0]["model"] == "fake-model"


def test_transient_errors_are_retried_and_counted() -> None:
    server = (
        FakeOpenAIServer()
        .then("status", 503)
        .then("status", 429)
        .then("json", completion("<answer>1</answer>"))
    )
    with server.running():
        client = client_for(server)
        answer = asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
    assert answer.value == [1]
    assert answer.calls[0].retries == 2 and len(server.requests) == 3


def test_malformed_answers_are_reasked_then_recorded_as_failure() -> None:
    server = FakeOpenAIServer()
    for _ in range(3):
        server.then("json", completion("<answer>E11.22</answer>"))
    with server.running():
        client = client_for(server, max_reasks=2)
        result = asyncio.run(client.ask_ids("tabular_validator", PROMPT, [1], multiple=False))
    assert isinstance(result, AnswerFailure)
    assert "no usable answer after 3 tries" in result.reason and "not with codes" in result.reason
    assert [r.outcome for r in client.ledger.records] == ["malformed"] * 3
    reask = server.requests[1]["messages"]
    assert reask[-2]["role"] == "assistant" and "could not be used" in reask[-1]["content"]


def test_a_reask_can_fix_the_answer() -> None:
    server = (
        FakeOpenAIServer()
        .then("json", completion("I think apple."))
        .then("json", completion("<answer>1</answer>"))
    )
    with server.running():
        client = client_for(server)
        answer = asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
    assert answer.value == [1]
    assert summarize(client.ledger.records)["per_agent"]["a"]["failed_calls"] == 1


def test_structured_decoding_sends_the_schema() -> None:
    server = FakeOpenAIServer().then("json", completion('{"ids": [1]}'))
    with server.running():
        client = client_for(server, decoding="structured")
        answer = asyncio.run(client.ask_ids("index_navigator", PROMPT, [1], multiple=True))
    assert answer.value == [1]
    schema = server.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["ids"]["items"]["enum"] == [0, 1]


def test_server_refusing_a_request_is_a_branch_failure() -> None:
    server = FakeOpenAIServer().then("status", 400)
    with server.running():
        result = asyncio.run(client_for(server).ask_ids("a", PROMPT, [1], multiple=False))
    assert isinstance(result, AnswerFailure) and result.reason.startswith("refused")


def test_refused_connection_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(LLMUnavailableError, match=f"cannot reach the model server at {url}"):
        list_models(url, None)
    client = LLMClient(
        LLMSettings.resolve(base_url=url, max_retries=1, retry_backoff_s=0.01),
        Endpoint(url, "m", embedded=False),
    )
    with pytest.raises(LLMUnavailableError, match="failed 2 times"):
        asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
    assert client.ledger.records[-1].outcome == "unavailable"


def test_hanging_server_is_bounded() -> None:
    server = FakeOpenAIServer().then("hang", 5).then("hang", 5)
    with server.running():
        client = client_for(server, timeout_s=0.5, max_retries=1)
        started = time.monotonic()
        with pytest.raises(LLMUnavailableError, match="timed out"):
            asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
        assert time.monotonic() - started < 5


def test_unknown_model_name_lists_what_the_server_serves(tmp_path) -> None:
    server = FakeOpenAIServer(models=("qwen3-8b",))
    with server.running():
        settings = LLMSettings.resolve(base_url=server.base_url, model="llama-70b")
        with pytest.raises(LLMUnavailableError, match="does not serve model 'llama-70b'.*qwen3-8b"):
            resolve_endpoint(settings, tmp_path)
        endpoint = resolve_endpoint(LLMSettings.resolve(base_url=server.base_url), tmp_path)
    assert endpoint.model == "qwen3-8b" and not endpoint.embedded


def test_client_works_across_event_loops() -> None:
    server = (
        FakeOpenAIServer()
        .then("json", completion("<answer>1</answer>"))
        .then("json", completion("<answer>0</answer>"))
    )
    with server.running():
        client = client_for(server)
        first = asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
        second = asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
    assert first.value == [1] and second.value == []


def test_structured_reply_cut_at_the_token_limit_is_reasked() -> None:
    cut = completion('{"ids": [1, 1, 1, 1', completion_tokens=48)
    cut["choices"][0]["finish_reason"] = "length"
    server = FakeOpenAIServer().then("json", cut).then("json", completion('{"ids": [1]}'))
    with server.running():
        client = client_for(server, decoding="structured", max_tokens=48)
        answer = asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=True))
    assert answer.value == [1]
    first = answer.calls[0]
    assert first.outcome == "malformed" and first.completion_tokens == 48
    assert "limit of 48 tokens" in server.requests[1]["messages"][-1]["content"]


def test_the_ledger_keeps_only_the_latest_calls() -> None:
    from clh_llm.ledger import CallRecord, Ledger

    ledger = Ledger(max_records=3)
    for n in range(5):
        ledger.add(
            CallRecord(
                agent=f"a{n}",
                model="m",
                prompt_tokens=1,
                completion_tokens=1,
                cached_tokens=0,
                latency_s=0.1,
                retries=0,
                outcome="ok",
            )
        )
    assert [r.agent for r in ledger.records] == ["a2", "a3", "a4"]


def test_a_server_that_lists_no_model_is_a_clear_error() -> None:
    server = FakeOpenAIServer(models=())
    with server.running():
        with pytest.raises(LLMUnavailableError, match="lists no model.*CLH_LLM_MODEL"):
            resolve_endpoint(LLMSettings.resolve(base_url=server.base_url), None)
        # Naming the model is enough: the server need not list it.
        settings = LLMSettings.resolve(base_url=server.base_url, model="m")
        assert resolve_endpoint(settings, None).model == "m"


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("raw", "<html>502 Bad Gateway</html>"),
        (
            "json",
            {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []},
        ),
        ("json", {"unexpected": True}),
    ],
)
def test_a_reply_that_is_no_chat_completion_is_a_branch_failure(kind, body) -> None:
    server = FakeOpenAIServer()
    for _ in range(3):
        server.then(kind, body)
    with server.running():
        client = client_for(server)
        result = asyncio.run(client.ask_ids("index_navigator", PROMPT, [1], multiple=False))
    assert isinstance(result, AnswerFailure)
    assert "not a chat completion" in result.reason
    assert len(server.requests) == 3  # retried like a transient fault, then given up


def test_a_hang_is_reported_after_one_timeout_naming_what_was_waited_for() -> None:
    server = FakeOpenAIServer().then("hang", 5).then("hang", 5).then("hang", 5)
    with server.running():
        client = client_for(server, timeout_s=0.5, max_retries=3)
        started = time.monotonic()
        with pytest.raises(LLMUnavailableError, match="did not answer the tabular_validator"):
            asyncio.run(client.ask_ids("tabular_validator", PROMPT, [1], multiple=False))
        assert time.monotonic() - started < 2  # one wait, not four
    assert len(server.requests) == 1


def test_the_models_probe_honours_the_configured_timeout(tmp_path) -> None:
    import http.server
    import threading

    class Hang(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(3)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hang)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
        started = time.monotonic()
        with pytest.raises(LLMUnavailableError, match="within 0.5 s"):
            resolve_endpoint(LLMSettings.resolve(base_url=url, timeout_s=0.5), tmp_path)
        assert time.monotonic() - started < 2.5
    finally:
        httpd.shutdown()


def test_scored_decoding_reads_p_yes_from_the_top_logprobs() -> None:
    import math

    logprobs = {"Yes": math.log(0.6), " no": math.log(0.2), "yes": math.log(0.1), "Maybe": -3.0}
    server = FakeOpenAIServer().then("json", completion("Yes", top_logprobs=logprobs))
    with server.running():
        client = client_for(server, decoding="scored")
        answer = asyncio.run(client.score_yes("tabular_validator", PROMPT, note_id="n1"))
    assert answer.value == pytest.approx(0.7 / 0.9)
    request = server.requests[0]
    assert request["logprobs"] is True and request["top_logprobs"] == 10
    assert request.get("max_tokens", request.get("max_completion_tokens")) == 1
    assert client.ledger.records[0].outcome == "ok"


def test_a_server_without_logprobs_is_a_failure_naming_the_fallback() -> None:
    server = FakeOpenAIServer().then("json", completion("yes"))
    with server.running():
        client = client_for(server, decoding="scored")
        failure = asyncio.run(client.score_yes("tabular_validator", PROMPT))
    assert isinstance(failure, AnswerFailure)
    assert "returned no logprobs" in failure.reason
    assert "falling back to thinking decoding" in failure.reason


def test_scored_decoding_applies_to_verifiers_only() -> None:
    settings = LLMSettings.resolve(base_url="http://x/v1", decoding="scored")
    assert settings.decoding_for("tabular_validator").value == "scored"
    assert settings.decoding_for("evidence_extractor").value == "thinking"


def test_a_repeated_question_is_served_by_the_response_cache(tmp_path) -> None:
    import math

    logprobs = {"yes": math.log(0.8), "no": math.log(0.2)}
    server = FakeOpenAIServer().then("json", completion("yes", top_logprobs=logprobs))
    cache = tmp_path / "answers.sqlite"
    with server.running():
        client = client_for(server, decoding="scored", response_cache=str(cache))
        first = asyncio.run(client.score_yes("tabular_validator", PROMPT))
        again = asyncio.run(client.score_yes("tabular_validator", PROMPT))
        other = [{"role": "user", "content": "Another question"}]
        server.then("json", completion("no", top_logprobs=logprobs))
        asyncio.run(client.score_yes("tabular_validator", other))
    assert first.value == again.value == pytest.approx(0.8)  # the logprobs came back too
    assert len(server.requests) == 2  # the repeated question was not asked
    records = client.ledger.records
    assert [r.from_cache for r in records] == [False, True, False]
    assert summarize(records)["total"]["cache_hits"] == 1


def test_a_cached_answer_is_served_under_another_timeout(tmp_path) -> None:
    """The timeout is how long to wait, not what is asked: it must not be part of the key."""
    import math

    logprobs = {"yes": math.log(0.8), "no": math.log(0.2)}
    server = FakeOpenAIServer().then("json", completion("yes", top_logprobs=logprobs))
    cache = str(tmp_path / "answers.sqlite")
    with server.running():
        patient = client_for(server, decoding="scored", response_cache=cache, timeout_s=300)
        asked = asyncio.run(patient.score_yes("tabular_validator", PROMPT))
        hasty = client_for(server, decoding="scored", response_cache=cache, timeout_s=30)
        again = asyncio.run(hasty.score_yes("tabular_validator", PROMPT))
    assert asked.value == again.value == pytest.approx(0.8)
    assert len(server.requests) == 1
    assert [r.from_cache for r in hasty.ledger.records] == [True]


def test_without_a_response_cache_every_question_is_asked() -> None:
    server = FakeOpenAIServer()
    for _ in range(2):
        server.then("json", completion("<answer>1</answer>"))
    with server.running():
        client = client_for(server)
        for _ in range(2):
            asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
    assert len(server.requests) == 2


def test_a_findings_list_cut_at_the_token_limit_keeps_its_complete_findings() -> None:
    cut = (
        '{"findings": [{"term": "Pneumonia", "modifiers": [], "evidence": "pneumonia"}, '
        '{"term": "Diabetes", "modifiers": ["type 2"], "evidence": "T2DM"}, {"term": "Hyp'
    )
    server = FakeOpenAIServer().then("json", completion(cut, finish_reason="length"))
    with server.running():
        client = client_for(server)
        answer = asyncio.run(_ask_findings(client))
    assert [f["term"] for f in answer.value] == ["Pneumonia", "Diabetes"]
    assert len(server.requests) == 1  # not re-asked: the model already ran out of room
    assert answer.reasks and "kept what was complete before the cut" in answer.reasks[0]
    assert client.ledger.records[0].outcome == "truncated"
    schema = server.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["findings"]["maxItems"] == 30


def test_a_cut_reply_with_nothing_complete_is_re_asked() -> None:
    server = (
        FakeOpenAIServer()
        .then("json", completion('{"findings": [{"term": "Pneu', finish_reason="length"))
        .then("json", completion('{"findings": []}'))
    )
    with server.running():
        client = client_for(server)
        answer = asyncio.run(_ask_findings(client))
    assert answer.value == [] and len(server.requests) == 2
    assert "reached the limit" in answer.reasks[0]


def test_the_embedded_models_cache_survives_its_new_port_each_run(tmp_path) -> None:
    import math

    logprobs = {"yes": math.log(0.7), "no": math.log(0.3)}
    cache = str(tmp_path / "answers.sqlite")
    first = FakeOpenAIServer().then("json", completion("yes", top_logprobs=logprobs))
    with first.running():  # one run of the embedded server, on one free port...
        settings = LLMSettings.resolve(base_url=first.base_url, response_cache=cache)
        client = LLMClient(settings, Endpoint(first.base_url, "qwen", embedded=True))
        asyncio.run(client.score_yes("tabular_validator", PROMPT))
    second = FakeOpenAIServer()  # ...the next on another: the same model answers
    with second.running():
        settings = LLMSettings.resolve(base_url=second.base_url, response_cache=cache)
        client = LLMClient(settings, Endpoint(second.base_url, "qwen", embedded=True))
        again = asyncio.run(client.score_yes("tabular_validator", PROMPT))
        other = LLMClient(settings, Endpoint(second.base_url, "llama", embedded=True))
        second.then("json", completion("no", top_logprobs=logprobs))
        asyncio.run(other.score_yes("tabular_validator", PROMPT))  # another model: asked
    assert again.value == pytest.approx(0.7) and second.requests and len(second.requests) == 1


async def _ask_findings(client: LLMClient):
    from graph.nodes.evidence_extractor import FINDINGS_SCHEMA, complete_findings, parse_findings

    return await client.ask(
        "evidence_extractor",
        PROMPT,
        lambda reply: parse_findings(reply, structured=True),
        schema=FINDINGS_SCHEMA,
        salvage=complete_findings,
    )


def test_listwise_scoring_reads_each_options_probability_from_the_top_logprobs() -> None:
    import math

    logprobs = {"B": math.log(0.5), " A": math.log(0.2), "C)": math.log(0.1), "The": -1.0}
    server = FakeOpenAIServer().then(
        "json", completion("B", top_logprobs=logprobs, prompt_tokens=90, cached=64)
    )
    with server.running():
        client = client_for(server, decoding="scored")
        answer = asyncio.run(
            client.score_options("tabular_validator", PROMPT, ["A", "B", "C", "D"], note_id="n1")
        )
    assert answer.value == pytest.approx({"A": 0.25, "B": 0.625, "C": 0.125, "D": 0.0})
    assert answer.reply == "B" and answer.reasks == ()
    request = server.requests[0]
    assert request["logprobs"] is True and request["top_logprobs"] == 20
    assert request.get("max_tokens", request.get("max_completion_tokens")) == 1
    (record,) = client.ledger.records
    assert answer.calls == (record,)
    assert (record.outcome, record.note_id, record.prompt_tokens, record.cached_tokens) == (
        "ok",
        "n1",
        90,
        64,
    )


def test_listwise_scoring_without_a_label_among_the_top_tokens_is_a_failure() -> None:
    import math

    logprobs = {"The": math.log(0.6), "Based": math.log(0.3)}
    server = FakeOpenAIServer().then("json", completion("The", top_logprobs=logprobs))
    with server.running():
        client = client_for(server, decoding="scored")
        failure = asyncio.run(client.score_options("tabular_validator", PROMPT, ["A", "B"]))
    assert isinstance(failure, AnswerFailure)
    assert "none of the options A, B" in failure.reason and failure.last_reply == "The"
    assert len(client.ledger.records) == 1  # the call was made and counted


def test_listwise_scoring_without_logprobs_is_a_failure_naming_the_fallback() -> None:
    server = FakeOpenAIServer().then("json", completion("A"))
    with server.running():
        client = client_for(server, decoding="scored")
        failure = asyncio.run(client.score_options("tabular_validator", PROMPT, ["A", "B"]))
    assert isinstance(failure, AnswerFailure)
    assert "returned no logprobs" in failure.reason


def test_listwise_scoring_refused_by_the_server_is_a_branch_failure() -> None:
    server = FakeOpenAIServer().then("status", 400)
    with server.running():
        client = client_for(server, decoding="scored")
        failure = asyncio.run(client.score_options("tabular_validator", PROMPT, ["A", "B"]))
    assert isinstance(failure, AnswerFailure) and failure.reason.startswith("refused")
    assert [r.outcome for r in client.ledger.records] == [failure.reason]


def test_a_cached_reply_that_was_reasked_still_counts_as_a_cache_hit(tmp_path) -> None:
    server = (
        FakeOpenAIServer()
        .then("json", completion("I think apple."))
        .then("json", completion("<answer>1</answer>"))
    )
    cache = str(tmp_path / "answers.sqlite")
    with server.running():
        client = client_for(server, response_cache=cache)
        asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
        again = asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
    assert again.value == [1] and len(server.requests) == 2  # the second run asked nothing
    assert [(c.outcome, c.from_cache) for c in again.calls] == [("malformed", True), ("ok", True)]
    assert summarize(client.ledger.records)["total"]["cache_hits"] == 2


def test_the_caller_words_the_reask_for_its_answer_shape() -> None:
    server = (
        FakeOpenAIServer()
        .then("json", completion("Pneumonia and diabetes."))
        .then("json", completion("<answer>[]</answer>"))
    )
    with server.running():
        client = client_for(server)
        answer = asyncio.run(
            client.ask(
                "evidence_extractor",
                PROMPT,
                lambda reply: parse_json_answer(reply),
                reask=lambda reason: f"Fix this: {reason}. Answer <answer>[...]</answer>.",
            )
        )
    assert answer.value == [] and answer.reasks == ("the reply has no <answer>...</answer> block",)
    assert server.requests[1]["messages"][-1]["content"] == (
        "Fix this: the reply has no <answer>...</answer> block. Answer <answer>[...]</answer>."
    )


def test_the_id_helpers_reask_for_ids() -> None:
    server = (
        FakeOpenAIServer()
        .then("json", completion("apple"))
        .then("json", completion("<answer>1</answer>"))
        .then("json", completion('{"ids": 1}'))
        .then("json", completion('{"ids": [1]}'))
    )
    with server.running():
        thinking = client_for(server)
        asyncio.run(thinking.ask_ids("a", PROMPT, [1], multiple=False))
        structured = client_for(server, decoding="structured")
        asyncio.run(structured.ask_ids("index_navigator", PROMPT, [1], multiple=False))
    assert "<answer>0</answer> if none applies" in server.requests[1]["messages"][-1]["content"]
    assert (
        'Reply with the JSON {"ids": [...]} only' in server.requests[3]["messages"][-1]["content"]
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, r"does not know model 'fake-model' \(.*scripted 404.*\); set CLH_LLM_MODEL"),
        (401, r"refused the API key \(.*scripted 401.*\); set CLH_LLM_API_KEY"),
    ],
)
def test_an_unknown_model_or_a_refused_key_stops_the_run_at_once(status, message) -> None:
    server = (
        FakeOpenAIServer().then("status", status).then("json", completion("<answer>1</answer>"))
    )
    with server.running():
        client = client_for(server)
        with pytest.raises(LLMUnavailableError, match=message):
            asyncio.run(client.ask_ids("a", PROMPT, [1], multiple=False))
    assert len(server.requests) == 1  # not retried: it would not pass
    assert client.ledger.records == []


def test_a_timeout_is_written_to_the_ledger_as_unavailable() -> None:
    server = FakeOpenAIServer().then("hang", 5)
    with server.running():
        client = client_for(server, timeout_s=0.5)
        with pytest.raises(LLMUnavailableError, match="within 0.5 s"):
            asyncio.run(client.score_yes("tabular_validator", PROMPT, note_id="n1"))
    (record,) = client.ledger.records
    assert (record.outcome, record.note_id, record.retries) == ("unavailable", "n1", 0)
