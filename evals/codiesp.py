"""CodiEsp (CLEF eHealth 2020, CC BY 4.0): English texts with ICD-10-CM diagnosis gold codes.

The gold files hold lower-case dotted codes, one ``article<TAB>code`` per line; the English
texts are machine translations, one sentence per line.
"""

from __future__ import annotations

from pathlib import Path

from evals.doc_types import Dataset, Doc


def load_codiesp(root: Path, split: str) -> Dataset:
    """Load one split of CodiEsp from its directory (``root/<split>``).

    Rows that cannot be used (a malformed gold line, a missing text) are listed in the
    dataset's ``problems``, never dropped silently.

    Raises:
        FileNotFoundError: naming the missing gold file or text directory.
    """
    base = root / split
    gold_file = base / f"{split}D.tsv"
    texts = base / "text_files_en"
    if not gold_file.is_file():
        raise FileNotFoundError(f"no CodiEsp gold file at {gold_file}")
    if not texts.is_dir():
        raise FileNotFoundError(f"no CodiEsp English texts at {texts}")
    gold: dict[str, list[str]] = {}
    problems: list[str] = []
    for number, line in enumerate(gold_file.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.strip().split("\t")
        if len(parts) != 2 or not parts[0] or not parts[1]:
            problems.append(f"{split}D.tsv line {number}: expected article<TAB>code: {line!r}")
            continue
        article, code = parts
        gold.setdefault(article, [])
        if code.upper() not in gold[article]:
            gold[article].append(code.strip().upper())
    docs: list[Doc] = []
    for article in sorted(gold):
        path = texts / f"{article}.txt"
        if not path.is_file():
            problems.append(f"no English text for {article}")
            continue
        docs.append(
            Doc(article, path.read_text(encoding="utf-8", errors="replace"), tuple(gold[article]))
        )
    return Dataset(f"codiesp-{split}", docs, problems)
