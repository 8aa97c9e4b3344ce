"""Load ``<agent>.<version>.yml.j2`` (a YAML list of {role, content}) and render it strictly."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

PROMPT_DIR = Path(__file__).parent
_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
)


class PromptError(Exception):
    """A prompt file is missing, malformed, or needs a variable that was not given."""


@lru_cache(maxsize=64)
def _messages(agent: str, version: str) -> tuple[tuple[str, jinja2.Template], ...]:
    path = PROMPT_DIR / f"{agent}.{version}.yml.j2"
    if not path.is_file():
        raise PromptError(f"no prompt {path.name} in {PROMPT_DIR}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PromptError(f"{path.name} is not valid YAML: {exc}") from exc
    if not isinstance(raw, list) or not all(
        isinstance(m, dict) and {"role", "content"} <= set(m) for m in raw
    ):
        raise PromptError(f"{path.name} must be a YAML list of {{role, content}} messages")
    return tuple((str(m["role"]), _ENV.from_string(str(m["content"]))) for m in raw)


def render_prompt(agent: str, version: str = "v1", **variables: Any) -> list[dict[str, str]]:
    """Render an agent's prompt into chat messages.

    Raises:
        PromptError: for a missing file or a variable the template needs but was not given.
    """
    try:
        return [
            {"role": role, "content": template.render(**variables).strip()}
            for role, template in _messages(agent, version)
        ]
    except jinja2.UndefinedError as exc:
        raise PromptError(f"prompt {agent}.{version}: {exc.message}") from exc
