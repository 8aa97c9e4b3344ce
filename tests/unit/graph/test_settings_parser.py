"""``--set field=value`` strings read by the type of the field they set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from graph.settings_parser import field_overrides


@dataclass(frozen=True, kw_only=True)
class Settings:
    colours: list[Literal["red", "blue"]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    strict: bool = False
    count: int = 1
    ratio: float = 0.5
    size: Literal["s", "m"] = "s"
    path: str | None = None
    secret: str = ""


def test_each_field_is_read_by_its_type() -> None:
    values = field_overrides(
        Settings,
        [
            "colours=red, blue",
            "labels=a:1,b:2",
            "strict=True",
            "count=3",
            "ratio=0.25",
            "size=m",
            "path=none",
        ],
    )
    assert values == {
        "colours": ["red", "blue"],
        "labels": {"a": "1", "b": "2"},
        "strict": True,
        "count": 3,
        "ratio": 0.25,
        "size": "m",
        "path": None,
    }
    assert field_overrides(Settings, ["colours="]) == {"colours": []}


def test_none_can_be_a_fields_text() -> None:
    assert field_overrides(Settings, ["path=none"], none_is_text=["path"]) == {"path": "none"}


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("colours=green", r"--set colours='green': \['green'\] not among \['red', 'blue'\]"),
        ("labels=a", "expected key:value pairs"),
        ("strict=maybe", "--set strict='maybe': true or false"),
        ("count=many", "--set count='many': invalid literal"),
        ("size=xl", "--set size='xl': one of s, m"),
        ("weight=3", "expected field=value with a field among colours, count, labels"),
        ("count", "expected field=value"),
        ("secret=x", "expected field=value"),
    ],
)
def test_a_value_its_field_does_not_take_is_named(pair: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        field_overrides(Settings, [pair], excluded=["secret"])


def test_dashes_in_a_name_read_as_underscores() -> None:
    @dataclass
    class Dashed:
        top_k: int = 1

    assert field_overrides(Dashed, ["top-k=7"]) == {"top_k": 7}
