"""``clh llm ...``: check the configured model server, serve or fetch the embedded model."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clh_llm import LLMClient, LLMSettings
from clh_llm.embedded import EmbeddedConfig, EmbeddedServer
from clh_llm.ledger import summarize
from clh_llm.weights import EMBEDDED_MODELS, ensure_weights, model_spec
from icd_resources import ResourceSettings

llm_app = typer.Typer(
    help="The model layer: check, serve or fetch the model.", no_args_is_help=True
)
_err = Console(stderr=True)

BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="OpenAI-compatible server URL "
        "ending in /v1 (default: $CLH_LLM_BASE_URL; none: "
        "the embedded model).",
    ),
]
Model = Annotated[
    str | None,
    typer.Option(
        "--model", help="Model name (default: $CLH_LLM_MODEL, else what the server serves)."
    ),
]
Embedded = Annotated[
    str | None,
    typer.Option("--embedded-model", help=f"Embedded model: {', '.join(EMBEDDED_MODELS)}."),
]


def _say(message: str) -> None:
    _err.print(message, markup=False, highlight=False)


@llm_app.command("check")
def check(
    ctx: typer.Context,
    base_url: BaseUrl = None,
    model: Model = None,
    embedded_model: Embedded = None,
) -> None:
    """Print the backend and model in use, a round-trip latency and tokens/s."""
    settings = LLMSettings.resolve(
        base_url=base_url, model=model, embedded_model=embedded_model, max_tokens=96
    )
    cache = ResourceSettings.resolve(cache_dir=ctx.obj.cache_dir).cache_dir
    started = time.perf_counter()
    client = LLMClient.from_settings(settings, cache, progress=_say)
    start_s = time.perf_counter() - started
    endpoint = client.endpoint
    print(f"backend:   {'embedded llama.cpp (xllamacpp)' if endpoint.embedded else 'remote'}")
    print(f"base url:  {endpoint.base_url}")
    print(f"model:     {endpoint.model}")
    if endpoint.embedded:
        label = (
            model_spec(settings.embedded_model).label
            if not settings.embedded_gguf
            else settings.embedded_gguf
        )
        print(
            f"weights:   {label}; ready in {start_s:.1f} s (model load "
            f"{endpoint.load_seconds:.1f} s), {settings.embedded_threads} threads, "
            f"{settings.effective_concurrency} slot(s)"
        )

    async def probe() -> None:
        ping = await client.ask(
            "check", [{"role": "user", "content": "Reply with: pong"}], lambda text: text
        )
        print(
            f"round trip: {ping.calls[-1].latency_s:.2f} s (prompt "
            f"{ping.calls[-1].prompt_tokens} tokens)"
        )
        long = await client.ask(
            "check",
            [{"role": "user", "content": "Count from 1 to 40, separated by spaces."}],
            lambda text: text,
        )
        call = long.calls[-1]
        print(
            f"generation: {call.completion_tokens} tokens in {call.latency_s:.2f} s = "
            f"{call.completion_tokens / max(call.latency_s, 1e-9):.1f} tokens/s "
            "(includes prompt processing)"
        )

    asyncio.run(probe())
    total = summarize(client.ledger.records)["total"]
    print(
        f"accounting: {total['calls']} calls, {total['prompt_tokens']} prompt tokens "
        f"({total['cached_tokens']} cached), {total['completion_tokens']} completion tokens"
    )


@llm_app.command("serve")
def serve(
    ctx: typer.Context,
    embedded_model: Embedded = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8088,
    slots: Annotated[int, typer.Option(help="Parallel request slots.")] = 1,
) -> None:
    """Run the embedded model server standalone (for other tools) until Ctrl-C."""
    settings = LLMSettings.resolve(embedded_model=embedded_model)
    cache = ResourceSettings.resolve(cache_dir=ctx.obj.cache_dir).cache_dir
    spec = model_spec(settings.embedded_model)
    gguf = (
        Path(settings.embedded_gguf)
        if settings.embedded_gguf
        else ensure_weights(spec, cache, progress=_say)
    )
    server = EmbeddedServer(
        EmbeddedConfig(
            gguf, spec.name, settings.embedded_threads, settings.embedded_ctx, slots, port
        )
    )
    server.start()
    print(f"serving {spec.label} at {server.base_url} (model name {spec.name!r}); Ctrl-C stops")
    print(f"use it with: CLH_LLM_BASE_URL={server.base_url} CLH_LLM_MODEL={spec.name}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


@llm_app.command("fetch")
def fetch(ctx: typer.Context, embedded_model: Embedded = None) -> None:
    """Download and assemble the embedded model's weights into the cache (verified)."""
    settings = LLMSettings.resolve(embedded_model=embedded_model)
    cache = ResourceSettings.resolve(cache_dir=ctx.obj.cache_dir).cache_dir
    path = ensure_weights(model_spec(settings.embedded_model), cache, progress=_say)
    print(f"{path} ({path.stat().st_size:,} bytes, SHA-256 verified)")
