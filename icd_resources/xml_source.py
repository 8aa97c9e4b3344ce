"""Reading the CMS XML files: one parse entry point with file-named errors, and text helpers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from icd_resources.errors import ReleaseFileError


def parse_xml(path: Path, expected_root: str) -> ET.Element:
    """Parse a whole release file and check its root element.

    Raises:
        ReleaseFileError: naming the file, for unreadable, truncated or foreign XML.

    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, col = exc.position
        raise ReleaseFileError(
            path,
            f"broken XML at line {line}, column {col} ({exc.msg}); the file may be "
            "truncated: download the release again (clh resources fetch)",
        ) from exc
    except OSError as exc:
        raise ReleaseFileError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if root.tag != expected_root:
        raise ReleaseFileError(path, f"root element is <{root.tag}>, expected <{expected_root}>")
    return root


def clean(text: str | None) -> str:
    """Collapse runs of white space; None becomes ''."""
    return " ".join(text.split()) if text else ""


def text_of(elem: ET.Element | None) -> str:
    """Return an element's whole text with white space collapsed, skipping addenda ``<old>``."""
    if elem is None:
        return ""
    parts: list[str] = []
    _collect(elem, parts)
    return clean(" ".join(parts))


def _collect(elem: ET.Element, parts: list[str]) -> None:
    if elem.text:
        parts.append(elem.text)
    for child in elem:
        if child.tag != "old":
            _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def title_and_nemod(title: ET.Element | None) -> tuple[str, str]:
    """Split an index ``<title>`` into its words and its nonessential modifiers.

    Text after ``<nemod>`` (a trailing "NEC") belongs to the title, not to the modifiers.
    """
    if title is None:
        return "", ""
    words: list[str] = [title.text or ""]
    nemods: list[str] = []
    for child in title:
        if child.tag == "nemod":
            nemods.append(text_of(child))
        elif child.tag != "old":
            words.append(text_of(child))
        if child.tail:
            words.append(child.tail)
    return clean(" ".join(words)), clean(" ".join(nemods))
