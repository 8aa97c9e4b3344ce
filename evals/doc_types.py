"""The one shape every evaluation dataset loads into: documents with gold codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.context import SettingName


@dataclass(frozen=True, slots=True)
class Doc:
    """One note to code and its gold codes (upper case, dotted)."""

    id: str
    text: str
    gold: tuple[str, ...]
    setting: SettingName | None = None
    """The encounter setting, where the dataset gives one; None: the run's own setting."""

    @property
    def sentences(self) -> list[str]:
        """Return the non-empty lines (CodiEsp's English texts are sentence-split)."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]


@dataclass
class Dataset:
    """Loaded documents and every row that could not be used, with the reason."""

    name: str
    docs: list[Doc]
    problems: list[str] = field(default_factory=list)
