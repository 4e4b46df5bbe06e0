"""A JSON parser that turns every malformed body into a 400 with a reason, never a 500."""
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def json_depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value, computed without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


class BodyTooLarge(APIException):
    status_code = 413
    default_code = "body_too_large"


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # DRF reads the raw request stream, which skips Django's own body limit: bound it here.
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(f"The request body is larger than {limit // 1024} KiB.")
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_reject_constant)
        except RecursionError:
            raise ParseError(f"JSON is nested too deeply (at most {MAX_DEPTH} levels).") from None
        except UnicodeDecodeError:
            raise ParseError(f"The body is not valid {encoding} text.") from None
        except ValueError as exc:
            raise ParseError(f"Malformed JSON: {exc}") from None
        if json_depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON is nested too deeply (at most {MAX_DEPTH} levels).")
        return data


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")
