"""Errors raised while building a dataset: each carries a message a person can act on.

These are plain exceptions (no Django, no DRF) so the ingestion core, the management commands and
a future background job can all raise and report them; the API turns them into 4xx answers.
"""


class DatasetError(Exception):
    """The input cannot become a dataset; `str(exc)` says why and what to do. HTTP 400."""

    status_code = 400


class ArchiveRejected(DatasetError):
    """The archive itself is unsafe or unreadable (traversal, bomb limits, not a zip)."""


class TooLarge(DatasetError):
    """The upload or archive is over a configured size limit. HTTP 413."""

    status_code = 413


class ImageSkipped(Exception):
    """One file could not be used; the reason goes into the dataset's `skipped` list."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
