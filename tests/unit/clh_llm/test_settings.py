import pytest

from clh_llm.settings import Decoding, LLMSettings


def test_defaults_are_the_embedded_model(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("CLH_LLM_BASE_URL", "CLH_LLM_MODEL", "CLH_LLM_DECODING", "CLH_LLM_CONCURRENCY"):
        monkeypatch.delenv(key, raising=False)
    settings = LLMSettings.resolve()
    assert settings.embedded and settings.effective_concurrency == 1
    assert settings.decoding_for("index_navigator") is Decoding.THINKING
    assert settings.decoding_for("evidence_extractor") is Decoding.STRUCTURED
    everything = LLMSettings.resolve(decoding="thinking")
    assert everything.decoding_for("evidence_extractor") is Decoding.THINKING


def test_explicit_beats_env_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLH_LLM_BASE_URL", "http://env:8000/v1")
    monkeypatch.setenv("CLH_LLM_TIMEOUT", "12.5")
    monkeypatch.setenv("CLH_LLM_MAX_TOKENS", "77")
    settings = LLMSettings.resolve(base_url="http://explicit:9/v1", max_tokens=None)
    assert settings.base_url == "http://explicit:9/v1"
    assert settings.timeout_s == 12.5 and settings.max_tokens == 77
    assert not settings.embedded and settings.effective_concurrency == 8


def test_api_key_from_env_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLH_LLM_API_KEY", "sk-secret")
    settings = LLMSettings.resolve()
    assert settings.api_key == "sk-secret" and "sk-secret" not in repr(settings)


def test_per_agent_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLH_LLM_DECODING", "index_navigator=structured")
    settings = LLMSettings.resolve()
    assert settings.decoding_for("index_navigator") is Decoding.STRUCTURED
    assert settings.decoding_for("code_reconciler") is Decoding.SCORED  # the embedded default
    assert LLMSettings.resolve(decoding="structured").decoding_for("x") is Decoding.STRUCTURED
    with pytest.raises(ValueError, match="unknown agent"):
        LLMSettings.resolve(decoding="navigator=structured")


def test_explicit_per_agent_decoding() -> None:
    settings = LLMSettings.resolve(decoding="tabular_validator=structured")
    assert settings.decoding_for("tabular_validator") is Decoding.STRUCTURED
    assert settings.decoding_for("code_reconciler") is Decoding.SCORED


def test_default_decoding_depends_on_where_the_model_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLH_LLM_DECODING", raising=False)
    monkeypatch.delenv("CLH_LLM_BASE_URL", raising=False)
    embedded = LLMSettings.resolve()
    assert embedded.decoding_for("tabular_validator") is Decoding.SCORED
    assert embedded.decoding_for("code_reconciler") is Decoding.SCORED
    assert embedded.decoding_for("index_navigator") is Decoding.THINKING  # cannot score
    assert embedded.decoding_for("evidence_extractor") is Decoding.STRUCTURED
    server = LLMSettings.resolve(base_url="http://vllm:8000/v1")
    assert server.decoding_for("tabular_validator") is Decoding.THINKING
    assert server.decoding_for("code_reconciler") is Decoding.THINKING
    assert LLMSettings.resolve(decoding="thinking").decoding_for("tabular_validator") is (
        Decoding.THINKING
    )
