"""Split the Official Guidelines PDF into its numbered sections.

The PDF's outline (bookmarks) gives every heading and its page; each heading is then found in
the page text, and a section's own text runs to the next heading. Section ids follow the way
coders cite them: ``I.C.2.l.1`` for Section I, C, chapter 2, l, 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from icd_resources.errors import ReleaseFileError

_HEADER_LINE_RE = re.compile(
    r"^\s*(ICD-10-CM Official Guidelines for Coding\s*and\s*Reporting|FY \d{4}|Page \d+ of \d+)\s*$"
    # table-of-contents lines: "12. Excludes Notes ........ 9"
    r"|^.*\.{4,}\s*\d+\s*$",
    re.MULTILINE,
)
_LABEL_RE = re.compile(r"^\s*(?:Section\s+)?\(?([IVX]+|[A-Z]|\d{1,2}|[a-z]{1,4})[.)]\s")
_CHAPTER_RE = re.compile(r"\bChapter\s+(\d{1,2})\s*:")
_HEADING_WORDS = 10


@dataclass(frozen=True, slots=True)
class SectionRecord:
    """A guideline section as stored: ``end_seq`` is the seq of its last descendant."""

    id: str
    parent: str | None
    level: int
    title: str
    page: int
    seq: int
    end_seq: int
    text: str
    chapter: int | None


def parse_guidelines(path: Path) -> list[SectionRecord]:
    """Parse the guidelines PDF into sections in document order.

    Raises:
        ReleaseFileError: if the PDF cannot be read or has no outline to split it by.

    """
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pdfium raises PdfiumError for any unreadable input
        raise ReleaseFileError(path, f"not a readable PDF ({exc})") from exc
    try:
        pages = [_strip_headers(doc[i].get_textpage().get_text_range()) for i in range(len(doc))]
        outline = [
            (
                item.level,
                item.get_dest().get_index() if item.get_dest() else 0,
                " ".join(item.get_title().split()),
            )
            for item in doc.get_toc()
        ]
    finally:
        doc.close()
    if not outline:
        raise ReleaseFileError(path, "the PDF has no outline (bookmarks) to find its sections by")
    return _split(pages, outline)


def _strip_headers(text: str) -> str:
    return _HEADER_LINE_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _split(pages: list[str], outline: list[tuple[int, int, str]]) -> list[SectionRecord]:
    page_start: list[int] = []
    full = ""
    for text in pages:
        page_start.append(len(full))
        full += text + "\n"
    starts: list[int] = []
    cursor = 0
    for _level, page, title in outline:
        page = min(page, len(page_start) - 1)
        origin = max(cursor, page_start[page])
        # A heading sits on its bookmarked page (or spills onto the next), never further on.
        limit = page_start[page + 2] if page + 2 < len(page_start) else len(full)
        found = _find_heading(full, title, origin, limit)
        starts.append(found if found is not None else origin)
        cursor = starts[-1]
    ids = _section_ids(outline)
    records: list[SectionRecord] = []
    parents: list[tuple[int, str]] = []
    for seq, ((level, page, title), start) in enumerate(zip(outline, starts, strict=True)):
        end = starts[seq + 1] if seq + 1 < len(starts) else len(full)
        while parents and parents[-1][0] >= level:
            parents.pop()
        chapter_match = _CHAPTER_RE.search(title)
        records.append(
            SectionRecord(
                ids[seq],
                parents[-1][1] if parents else None,
                level,
                title,
                page + 1,
                seq,
                seq,
                _tidy(full[start : max(start, end)]),
                int(chapter_match.group(1))
                if chapter_match and ids[seq].startswith("I.C.")
                else None,
            )
        )
        parents.append((level, ids[seq]))
    return _with_end_seq(records)


def _find_heading(full: str, title: str, origin: int, limit: int) -> int | None:
    words = title.split()[:_HEADING_WORDS]
    if not words:
        return None
    pattern = r"\s*".join(re.escape(word) for word in words)
    match = re.compile(pattern).search(full, origin, limit)
    return match.start() if match else None


def _section_ids(outline: list[tuple[int, int, str]]) -> list[str]:
    ids: list[str] = []
    stack: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for level, _page, title in outline:
        while stack and stack[-1][0] >= level:
            stack.pop()
        label_match = _LABEL_RE.match(title + " ")
        if label_match:
            label = label_match.group(1)
        elif title.lower().startswith("appendix"):
            label = title
        elif not ids:
            label = "intro"  # the document title heads the introduction
        else:
            label = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:40]
        section_id = f"{stack[-1][1]}.{label}" if stack else label
        if section_id in seen:  # the outline can repeat a heading; keep ids unique
            seen[section_id] += 1
            section_id = f"{section_id}~{seen[section_id]}"
        else:
            seen[section_id] = 1
        ids.append(section_id)
        stack.append((level, section_id))
    return ids


def _with_end_seq(records: list[SectionRecord]) -> list[SectionRecord]:
    result = list(records)
    for index, record in enumerate(records):
        end = index
        while end + 1 < len(records) and records[end + 1].level > record.level:
            end += 1
        result[index] = SectionRecord(
            record.id,
            record.parent,
            record.level,
            record.title,
            record.page,
            record.seq,
            end,
            record.text,
            record.chapter,
        )
    return result


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    tidy = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", tidy).strip()
