"""Read ``field=value`` strings (``clh ... --set``) into the typed fields of a dataclass.

The field's annotation says how its text is read: lists are comma-separated (``lanes=mention,
walk``; ``lanes=`` for none), dicts are ``key:value`` pairs, booleans are true/false, numbers
are numbers, a ``Literal`` or an enum takes one of its values, and ``none`` clears an optional
field.
"""

from __future__ import annotations

import typing
from collections.abc import Collection, Sequence
from dataclasses import fields
from enum import Enum
from typing import Any, Literal


def field_overrides(
    cls: type[Any],
    pairs: Sequence[str],
    *,
    excluded: Collection[str] = (),
    none_is_text: Collection[str] = (),
) -> dict[str, Any]:
    """Read ``field=value`` pairs into values typed by the fields of dataclass ``cls``.

    Args:
        cls: the dataclass whose fields are set.
        pairs: the ``field=value`` strings (``-`` in a name reads as ``_``).
        excluded: fields that are not set this way.
        none_is_text: optional fields for which ``none`` is a value, not "unset".

    Raises:
        ValueError: naming an unknown field or a value its type does not take.
    """
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)} - set(excluded)
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in known:
            raise ValueError(
                f"--set {pair!r}: expected field=value with a field among "
                + ", ".join(sorted(known))
            )
        values[name] = _typed(name, hints[name], raw.strip(), none_is_text=name in none_is_text)
    return values


def _typed(name: str, hint: Any, raw: str, *, none_is_text: bool) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    optional = type(None) in typing.get_args(hint)
    if optional and raw.lower() == "none" and not none_is_text:
        return None
    base = args[0] if optional and len(args) == 1 else hint
    if typing.get_origin(base) is dict:  # agent:version pairs
        pairs = [item.partition(":") for item in raw.split(",") if item.strip()]
        if any(not sep for _k, sep, _v in pairs):
            raise ValueError(f"--set {name}={raw!r}: expected key:value pairs")
        return {k.strip(): v.strip() for k, _sep, v in pairs}
    choices = _choices(base)
    try:
        if typing.get_origin(base) is list:
            items = [item.strip() for item in raw.split(",") if item.strip()]
            item_type = typing.get_args(base)[0]
            allowed = _choices(item_type)
            bad = [item for item in items if allowed and item not in allowed]
            if bad:
                raise ValueError(f"{bad} not among {allowed}")
            return [item_type(item) for item in items] if _is_enum(item_type) else items
        if base is bool:
            if raw.lower() not in ("true", "false"):
                raise ValueError("true or false")
            return raw.lower() == "true"
        if base in (int, float):
            return base(raw)
        if choices and raw not in choices:
            raise ValueError(f"one of {', '.join(choices)}")
    except ValueError as exc:
        raise ValueError(f"--set {name}={raw!r}: {exc}") from exc
    return raw


def _choices(hint: Any) -> list[str]:
    if _is_enum(hint):
        return [str(member) for member in hint]
    return [str(a) for a in typing.get_args(hint)] if typing.get_origin(hint) is Literal else []


def _is_enum(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, Enum)
