"""Domain errors that views and the API turn into clear answers."""

from __future__ import annotations


class Conflict(Exception):  # noqa: N818
    """A stale version: someone else saved the record since it was read (409)."""


class Refused(Exception):  # noqa: N818
    """A business rule refuses the action (e.g. missing consent); 403 with the reason."""
