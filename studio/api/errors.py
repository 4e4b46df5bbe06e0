"""One place that shapes API errors: JSON with a `detail` a person can act on, never a 500 for bad input."""
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KiB. "
                       "Upload big files as multipart 'file' fields."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, (TooManyFieldsSent, SuspiciousOperation)):
        return Response({"detail": f"Bad request: {exc}"}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500
    if isinstance(exc, Http404):
        response.data = {"detail": "Not found (or not yours)."}
    elif isinstance(exc, PermissionDenied):
        response.data = {"detail": "You do not have permission to do that."}
    elif isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data)}
    elif isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _summary(response.data), **response.data}
    return response


def _summary(errors: dict) -> str:
    """'name: This field is required.; graph: ...' from a serializer's field errors."""
    parts = []
    for field, messages in errors.items():
        text = " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        parts.append(text if field == "non_field_errors" else f"{field}: {text}")
    return "; ".join(parts) or "Invalid input."
