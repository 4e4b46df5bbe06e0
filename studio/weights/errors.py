"""Errors of the weights library, each with a message a person can act on and the HTTP status it maps to."""


class WeightsError(Exception):
    """The upload cannot become a weights file (HTTP 400); `str(exc)` says why."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "bad_file") -> None:
        super().__init__(message)
        self.code = code


class WeightsTooLarge(WeightsError):
    status_code = 413

    def __init__(self, message: str) -> None:
        super().__init__(message, code="file_too_large")


class WeightsSourceNotFound(WeightsError):
    """The run (or node) to take weights from is missing or not this person's. HTTP 404."""

    status_code = 404

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")
