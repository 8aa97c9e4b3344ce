"""Download and unpack the official release for users with internet access.

CMS publishes each fiscal year's "Code Tables, Tabular and Index" zip and the Official
Guidelines PDF. The URLs follow a yearly pattern; ``--url`` overrides them when CMS moves files.
"""

from __future__ import annotations

import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from icd_resources.errors import FetchError

CMS_TABLES_URL = "https://www.cms.gov/files/zip/{year}-code-tables-tabular-and-index.zip"
CMS_APRIL_TABLES_URL = (
    "https://www.cms.gov/files/zip/{year}-code-tables-tabular-and-index-april-1-{year}.zip"
)
CMS_GUIDELINES_URL = "https://www.cms.gov/files/document/fy-{year}-icd-10-cm-coding-guidelines.pdf"
_TIMEOUT_S = 30.0
_OFFLINE_HELP = (
    "If this machine is offline, download the FY{year} 'Code Tables, Tabular and Index' zip and "
    "the Official Guidelines PDF from the CMS ICD-10 page elsewhere, unpack them into one "
    "directory, and point clh at it with --icd-dir DIR or CLH_ICD_DIR=DIR."
)


def release_urls(year: int, *, april: bool = False) -> list[str]:
    """Return the default download URLs of a fiscal year's release."""
    tables = CMS_APRIL_TABLES_URL if april else CMS_TABLES_URL
    return [tables.format(year=year), CMS_GUIDELINES_URL.format(year=year)]


def fetch_release(
    year: int,
    dest: Path,
    *,
    urls: list[str] | None = None,
    april: bool = False,
    progress: Callable[[str, int, int | None], None] | None = None,
    timeout_s: float = _TIMEOUT_S,
) -> Path:
    """Download a release into ``dest/<year>``, unpacking zips, and return that directory.

    Raises:
        FetchError: naming the URL and how to proceed offline.

    """
    target = dest / str(year)
    target.mkdir(parents=True, exist_ok=True)
    for url in urls or release_urls(year, april=april):
        name = url.rstrip("/").rsplit("/", 1)[-1] or "download"
        with tempfile.TemporaryDirectory(dir=target) as tmp:
            downloaded = Path(tmp) / name
            _download(url, downloaded, timeout_s, progress, year)
            if zipfile.is_zipfile(downloaded):
                _unpack(downloaded, target)
            else:
                shutil.move(str(downloaded), target / name)
    return target


def _download(
    url: str,
    dest: Path,
    timeout_s: float,
    progress: Callable[[str, int, int | None], None] | None,
    year: int,
) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "clh (code-like-humans)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response, dest.open("wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            while chunk := response.read(1 << 16):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(url, done, total)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(
            f"could not download {url} ({reason}). {_OFFLINE_HELP.format(year=year)}"
        ) from exc


def _unpack(archive: Path, target: Path) -> None:
    root = target.resolve()
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                out = (target / member.filename).resolve()
                if not out.is_relative_to(root):  # a member named ../../x must not escape
                    raise FetchError(
                        f"{archive.name}: member {member.filename!r} escapes the "
                        "target directory; refusing to unpack"
                    )
            zipped.extractall(target)
            for inner in [target / m.filename for m in zipped.infolist()]:
                if inner.suffix.lower() == ".zip" and zipfile.is_zipfile(inner):
                    _unpack(inner, inner.parent)  # CMS nests the XML zip inside the tables zip
    except zipfile.BadZipFile as exc:
        raise FetchError(f"{archive.name} is not a valid zip ({exc}); download it again") from exc
