"""Errors of the model layer, each naming what the user can fix."""

from __future__ import annotations


class LLMError(Exception):
    """Base class of the model layer's deliberate errors."""


class LLMUnavailableError(LLMError):
    """The model server cannot be reached, hangs, or refuses the request for good."""


class ModelWeightsError(LLMError):
    """The embedded model's weights are missing, corrupt, or cannot be assembled."""


class EmbeddedServerError(LLMError):
    """The embedded llama.cpp server failed to start."""


class LLMConfigError(LLMError, ValueError):
    """A model setting (option or environment variable) that cannot work."""
