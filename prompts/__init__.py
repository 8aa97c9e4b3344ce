"""Prompt templates: one YAML + Jinja2 file per agent and version, rendered strictly."""

from prompts.loader import PromptError, render_prompt

__all__ = ["PromptError", "render_prompt"]
