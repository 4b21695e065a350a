"""One place where errors become responses: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from cnova_connector.errors import Conflict, DomainError, NotFound

_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "is required",
    "decimal_max_places": "must have at most 2 decimal places",
    "json_invalid": "the body is not valid JSON",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "int_type": "must be a whole number",
    "decimal_parsing": "must be a decimal number such as 59.90",
    "decimal_type": "must be a decimal number such as 59.90",
    "list_type": "must be a JSON array",
    "string_type": "must be a string",
    "unsupported_content_type": "send the body as application/json",
}


def error_response(
    status: int, code: str, message: str, details: Sequence[dict[str, Any]] = ()
) -> Response[Any]:
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": {"code": code, "message": message, "details": list(details)}}),
    )


def field_path(loc: Sequence[Any]) -> str:
    """``("body", "skus", 0, "price")`` → ``skus[0].price``; the body itself is ``body``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def validation_details(errors: Sequence[Any]) -> list[dict[str, str]]:
    details = []
    for err in errors:
        kind = str(err.get("type", "invalid"))
        message = _MESSAGES.get(kind) or str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        if kind == "json_invalid" and err.get("ctx", {}).get("error"):
            message = f"the body is not valid JSON: {err['ctx']['error']}"
        details.append({"field": field_path(err.get("loc", ())), "code": kind, "message": message})
    return details


def validation_response(errors: Sequence[Any]) -> Response[Any]:
    details = validation_details(errors)
    if any(d["code"] == "json_invalid" for d in details):
        return error_response(HTTPStatus.BAD_REQUEST, "invalid_json", "the body is not valid JSON", details)
    if any(d["code"] == "unsupported_content_type" for d in details):
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", details[0]["message"]
        )
    fields = ", ".join(sorted({d["field"] for d in details}))
    return error_response(HTTPStatus.BAD_REQUEST, "validation_error", f"invalid input in: {fields}", details)


def domain_response(exc: DomainError) -> Response[Any]:
    status = HTTPStatus.BAD_REQUEST  # InvalidInput and any other rule broken by the input
    if isinstance(exc, NotFound):
        status = HTTPStatus.NOT_FOUND
    elif isinstance(exc, Conflict):
        status = HTTPStatus.CONFLICT
    return error_response(status, exc.code, exc.message, [d.as_dict() for d in exc.details])
