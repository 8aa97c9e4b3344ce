"""The one parser of model answers: ``<answer>`` blocks after optional reasoning, or JSON.

Agents answer with the IDs of offered lines, never with free-typed codes (paper, Appendix C), so
a hallucinated code cannot come out: an ID that was not offered is an error the model is asked
to correct.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Sequence
from typing import Any

_THINK_RE = re.compile(r"<think>(.*?)</think>", re.DOTALL | re.IGNORECASE)
_ANSWER_RE = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
_CODE_LIKE_RE = re.compile(r"\b[A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}\b")
_ID_PREFIX_RE = re.compile(r"\bIDs?\b\s*:?", re.IGNORECASE)
_SEPARATORS_RE = re.compile(r"[\s,;|/]+|\band\b", re.IGNORECASE)
_LEADING_PUNCTUATION_RE = re.compile(r"^[\W_]+")


class AnswerError(ValueError):
    """A reply that cannot be used; the message is shown to the model when it is re-asked."""


def readable_rationale(text: str) -> str:
    """Return a model's reasoning as a reviewer reads it: without the answer markup."""
    return " ".join(_ANSWER_RE.sub(" ", text).split())


def split_reasoning(content: str, reasoning_field: str | None = None) -> tuple[str, str]:
    """Separate the reasoning from the visible reply.

    Handles ``<think>`` blocks in the content, a reply that starts inside a think block opened by
    the prompt (only ``</think>`` appears), an unclosed ``<think>`` (all reasoning, no reply), and
    a reasoning field sent separately (vLLM's ``--reasoning-parser``).

    Returns:
        ``(reasoning, visible)``.
    """
    parts = [reasoning_field.strip()] if reasoning_field else []
    text = content or ""
    lower = text.lower()
    if "</think>" in lower and "<think>" not in lower[: lower.index("</think>")]:
        cut = lower.index("</think>")
        parts.append(text[:cut].strip())
        text = text[cut + len("</think>") :]
    parts += [m.strip() for m in _THINK_RE.findall(text)]
    text = _THINK_RE.sub("", text)
    open_at = text.lower().find("<think>")
    if open_at >= 0:  # never closed: the model ran out of tokens while thinking
        parts.append(text[open_at + len("<think>") :].strip())
        text = text[:open_at]
    return "\n\n".join(p for p in parts if p), text.strip()


def extract_answer(content: str) -> str:
    """Return the text of the last ``<answer>`` block outside the reasoning.

    Raises:
        AnswerError: if there is none.
    """
    _reasoning, visible = split_reasoning(content)
    answers = _ANSWER_RE.findall(visible)
    if not answers:
        if "<answer>" in visible.lower():
            raise AnswerError("the <answer> block is not closed with </answer>")
        raise AnswerError("the reply has no <answer>...</answer> block")
    return str(answers[-1]).strip()


def parse_id_answer(
    content: str, offered: Collection[int], *, multiple: bool, structured: bool = False
) -> list[int]:
    """Turn a reply into the offered IDs it selects; ``0`` (or nothing) selects none.

    Args:
        content: the model's reply (reasoning included or not).
        offered: the IDs that were offered (1..n); 0 is always allowed.
        multiple: whether several IDs may be selected.
        structured: the reply is JSON ``{"ids": [...]}`` from constrained decoding.

    Raises:
        AnswerError: for prose, codes instead of IDs, IDs not offered, or several IDs where one
            was asked for.
    """
    ids = _structured_ids(content) if structured else _ids_from_text(extract_answer(content))
    allowed = set(offered)
    unknown = [i for i in ids if i != 0 and i not in allowed]
    if unknown:
        listed = f"1-{max(allowed)}" if allowed else "none"
        raise AnswerError(
            f"ID(s) {', '.join(map(str, unknown))} were not offered (offered IDs: {listed}; "
            "0 means none)"
        )
    chosen = list(dict.fromkeys(i for i in ids if i != 0))
    if not multiple and len(chosen) > 1:
        raise AnswerError(f"give exactly one ID (or 0), not {len(chosen)}")
    return chosen


def id_answer_schema(offered: Collection[int], *, multiple: bool) -> dict[str, Any]:
    """Return the JSON schema that constrains a structured answer to the offered IDs."""
    items: dict[str, Any] = {"type": "integer", "enum": [0, *sorted(offered)]}
    ids: dict[str, Any] = {"type": "array", "items": items, "minItems": 1}
    if not multiple:
        ids["maxItems"] = 1
    return {
        "type": "object",
        "properties": {"ids": ids},
        "required": ["ids"],
        "additionalProperties": False,
    }


def parse_json_answer(content: str, *, structured: bool = False) -> Any:
    """Parse JSON from an ``<answer>`` block, or from the whole reply when structured.

    A structured reply that is not JSON but holds an ``<answer>`` block (a server that ignored
    the schema) is read from the block.

    Raises:
        AnswerError: if the JSON is missing or invalid.
    """
    if structured:
        visible = split_reasoning(content)[1]
        try:
            return _loads(visible)
        except AnswerError:
            if "<answer>" not in visible.lower():
                raise
    return _loads(extract_answer(content))


def _loads(text: str) -> Any:
    text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnswerError(
            f"the answer is not valid JSON ({exc.msg} at position {exc.pos})"
        ) from exc


def _structured_ids(content: str) -> list[int]:
    data = parse_json_answer(content, structured=True)
    ids = data.get("ids") if isinstance(data, dict) else data
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise AnswerError('the JSON answer must be {"ids": [integers]}')
    return ids


def _ids_from_text(answer: str) -> list[int]:
    if _CODE_LIKE_RE.search(answer.upper()):
        raise AnswerError("answer with the ID numbers of the offered lines, not with codes")
    text = _ID_PREFIX_RE.sub(" ", answer).strip().strip("[](){}.\"'")
    if not text:
        return []
    ids: list[int] = []
    for token in _SEPARATORS_RE.split(text):
        token = token.strip("[](){}.\"'#")
        if not token:
            continue
        if not token.isdigit():
            raise AnswerError(
                f"{token!r} is not an ID: answer with ID numbers only, e.g. "
                "<answer>2, 5</answer>, or <answer>0</answer> for none"
            )
        ids.append(int(token))
    return ids


NO_LOGPROBS = (
    "the server returned no logprobs: scored decoding needs `logprobs`/`top_logprobs` "
    "(llama.cpp's server and vLLM return them); falling back to thinking decoding"
)


def yes_probability(logprobs: Any) -> float:
    """Return P(yes) / (P(yes) + P(no)) from the first token's top logprobs.

    Raises:
        AnswerError: when there are no logprobs (the message says so: :data:`NO_LOGPROBS`), or
            neither "yes" nor "no" is among the likely first tokens.
    """
    mass = {"yes": 0.0, "no": 0.0}
    for token, probability in _first_token_alternatives(logprobs):
        word = token.strip().lower()
        if word in mass:
            mass[word] += probability
    if mass["yes"] + mass["no"] == 0.0:
        raise AnswerError("neither yes nor no among the most likely first tokens")
    return mass["yes"] / (mass["yes"] + mass["no"])


def option_probabilities(logprobs: Any, labels: Sequence[str]) -> dict[str, float]:
    """Return each option label's share of the first token's probability among the labels.

    A token counts for a label when, stripped of space and punctuation in front (``" A"``,
    ``"(A"``), it starts with the label (case-insensitive) and no letter or digit follows it
    (``"A)"``, ``"A."`` count; ``"Apple"`` does not).

    Args:
        logprobs: the ``logprobs`` of a chat completion's choice (``content[0].top_logprobs``).
        labels: the option labels offered, e.g. ``["A", "B", "C"]``.

    Returns:
        label -> probability, over every label given, summing to 1.

    Raises:
        AnswerError: when there are no logprobs (:data:`NO_LOGPROBS`), or no label is among the
            likely first tokens.
    """
    mass = dict.fromkeys(labels, 0.0)
    for token, probability in _first_token_alternatives(logprobs):
        label = _option_label(token, labels)
        if label is not None:
            mass[label] += probability
    total = sum(mass.values())
    if total == 0.0:
        raise AnswerError(
            f"none of the options {', '.join(labels)} among the most likely first tokens"
        )
    return {label: share / total for label, share in mass.items()}


def _option_label(token: str, labels: Sequence[str]) -> str | None:
    text = _LEADING_PUNCTUATION_RE.sub("", token).lower()
    for label in labels:
        wanted = label.lower()
        rest = text[len(wanted) :]
        if text.startswith(wanted) and not (rest[:1].isalnum()):
            return label
    return None


def _first_token_alternatives(logprobs: Any) -> list[tuple[str, float]]:
    """Return (token text, probability) for the first generated token's top alternatives."""
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not content:
        raise AnswerError(NO_LOGPROBS)
    first = content[0]
    top = first.get("top_logprobs") or [first]
    return [(str(t.get("token", "")), math.exp(float(t.get("logprob", -math.inf)))) for t in top]
