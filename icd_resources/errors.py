"""Errors raised by the ICD-10-CM resource layer, each with a message a user can act on."""

from __future__ import annotations

from pathlib import Path


class ResourceError(Exception):
    """Base class of every error the resource layer raises on purpose."""


class ReleaseNotFoundError(ResourceError):
    """No usable ICD-10-CM release was found where clh was told to look."""


class ReleaseFileError(ResourceError):
    """A release file exists but cannot be read or parsed."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ArtifactError(ResourceError):
    """The compiled resource artifact is missing, corrupt or of another schema version."""


class MalformedCodeError(ResourceError, ValueError):
    """A string that is not shaped like an ICD-10-CM code."""

    def __init__(self, code: str) -> None:
        self.code = code
        shown = code if len(code) <= 40 else f"{code[:40]}... ({len(code):,} characters)"
        super().__init__(
            f"{shown!r} is not a well-formed ICD-10-CM code "
            "(expected a letter, two characters, then up to four after a dot, e.g. E11.22)"
        )


class UnknownCodeError(ResourceError, KeyError):
    """A well-formed code that the loaded release does not contain."""

    def __init__(
        self, code: str, release: str, nearest: str | None = None, partial: str = ""
    ) -> None:
        self.code = code
        self.nearest = nearest
        hint = f"; its nearest existing ancestor is {nearest}" if nearest else ""
        if partial:
            hint += f" (beware: {partial})"
        super().__init__(f"{code} is not in the ICD-10-CM {release} tabular list{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class GuidelinesUnavailableError(ResourceError):
    """The Official Guidelines PDF was not part of the release that was built."""


class FetchError(ResourceError):
    """Downloading the official release failed."""
