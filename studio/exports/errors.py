"""The errors of the exports package: each carries a message a person can act on."""

from __future__ import annotations


class ExportError(Exception):
    """A model could not be exported (or an exported file failed its check)."""


class UnknownFormat(ExportError, ValueError):
    """The requested format is not in the registry; the message lists the valid ones."""

    def __init__(self, fmt: str, valid: list[str]) -> None:
        self.format = fmt
        self.valid = list(valid)
        super().__init__(f"Unknown export format {fmt!r}. Valid formats: {', '.join(self.valid)}.")


class ExportUnavailable(ExportError):
    """The format is known but cannot be produced on this installation (a converter is missing or broken)."""


class BatchError(ValueError):
    """A batch of images (a zip) was refused as a whole: not a zip, or over a limit."""
