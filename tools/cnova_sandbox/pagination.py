"""Cnova pagination: ``_offset``/``_limit`` in, a ``metadata`` list of ``{key, value}`` strings out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from cnova_sandbox.errors import bad_request

T = TypeVar("T")


def _int_param(raw: str | None, name: str, default: int, minimum: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise bad_request(f"{name} must be an integer", "InvalidPagination") from exc
    if value < minimum:
        raise bad_request(f"{name} must be at least {minimum}", "InvalidPagination")
    return value


def page_params(args: dict[str, str], default_limit: int, max_limit: int) -> tuple[int, int]:
    offset = _int_param(args.get("_offset"), "_offset", 0, 0)
    limit = _int_param(args.get("_limit"), "_limit", min(default_limit, max_limit), 1)
    return offset, min(limit, max_limit)


def _link(path: str, offset: int, limit: int, filters: list[tuple[str, str]]) -> str:
    query = urlencode([("_offset", str(offset)), ("_limit", str(limit)), *filters])
    return f"{path}?{query}"


def paginate(
    rows: Sequence[T],
    path: str,
    query: list[tuple[str, str]],
    default_limit: int,
    max_limit: int,
) -> tuple[list[T], list[dict[str, str]]]:
    """Return one page of ``rows`` and Cnova's metadata.

    ``path`` is relative to ``/api/v2`` (as in the recorded links); ``query`` is the request's query
    in order, whose filters (everything but ``_offset``/``_limit``) are repeated in the links.
    """
    args = {k: v for k, v in query}
    offset, limit = page_params(args, default_limit, max_limit)
    total = len(rows)
    if total == 0:
        return [], [{"key": "totalRows", "value": "0"}]
    filters = [(k, v) for k, v in query if k not in ("_offset", "_limit")]
    page = list(rows[offset : offset + limit])
    last = ((total - 1) // limit) * limit
    previous = _link(path, max(offset - limit, 0), limit, filters) if offset > 0 else ""
    nxt = _link(path, offset + limit, limit, filters) if offset + limit < total else ""
    metadata: list[dict[str, Any]] = [
        {"key": "totalRows", "value": str(total)},
        {"key": "offset", "value": str(offset)},
        {"key": "limit", "value": str(limit)},
        {"key": "first", "value": _link(path, 0, limit, filters)},
        {"key": "previous", "value": previous},
        {"key": "next", "value": nxt},
        {"key": "last", "value": _link(path, last, limit, filters)},
    ]
    return page, metadata
