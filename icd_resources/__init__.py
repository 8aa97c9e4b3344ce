"""The official ICD-10-CM release as a typed, fast, read-only model.

Usage::

    from icd_resources import IcdResources
    icd = IcdResources.load()          # finds the release (CLH_ICD_DIR), builds once, opens
    icd.lookup("E11.22").description
    icd.notes_for("E11.22")            # Excludes, Code first, ... with their origin
"""

from icd_resources.config import ResourceSettings
from icd_resources.errors import (
    ArtifactError,
    FetchError,
    GuidelinesUnavailableError,
    MalformedCodeError,
    ReleaseFileError,
    ReleaseNotFoundError,
    ResourceError,
    UnknownCodeError,
)
from icd_resources.models import (
    Block,
    Chapter,
    CodeInfo,
    GuidelineSection,
    IndexCode,
    IndexEntry,
    IndexSource,
    NodeKind,
    Note,
    NoteKind,
    SeventhCharacter,
    XrefTarget,
)
from icd_resources.store import IcdResources

__all__ = [
    "ArtifactError",
    "Block",
    "Chapter",
    "CodeInfo",
    "FetchError",
    "GuidelineSection",
    "GuidelinesUnavailableError",
    "IcdResources",
    "IndexCode",
    "IndexEntry",
    "IndexSource",
    "MalformedCodeError",
    "NodeKind",
    "Note",
    "NoteKind",
    "ReleaseFileError",
    "ReleaseNotFoundError",
    "ResourceError",
    "ResourceSettings",
    "SeventhCharacter",
    "UnknownCodeError",
    "XrefTarget",
]
