"""Errors of the index search tool."""

from __future__ import annotations


class SearchError(Exception):
    """Base class of the search tool's deliberate errors."""


class IndexNotBuiltError(SearchError):
    """The search collection is missing or unreadable."""


class SearchBackendError(SearchError):
    """The Qdrant backend (server or embedded) failed or did not answer."""


class EmptyQueryError(SearchError, ValueError):
    """A query with no searchable text."""
