"""Typed errors of the Cnova client, carrying Cnova's error envelope.

Cnova answers errors with ``{"errors": [{"code", "message", "httpStatus", "type", "skuSellerId"}]}``.
Every error raised by the client is a :class:`CnovaError`; callers branch on the subclass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CnovaAuthError",
    "CnovaError",
    "CnovaErrorDetail",
    "CnovaNotFound",
    "CnovaPaginationError",
    "CnovaProtocolError",
    "CnovaRateLimited",
    "CnovaUnavailable",
    "CnovaValidationError",
    "error_for_status",
    "parse_error_envelope",
]


@dataclass(frozen=True)
class CnovaErrorDetail:
    """One element of Cnova's ``errors`` array (every field optional: Cnova's values are free text)."""

    code: str | None = None
    message: str | None = None
    http_status: str | None = None
    type: str | None = None
    sku_seller_id: str | None = None

    @classmethod
    def from_wire(cls, raw: Any) -> CnovaErrorDetail:
        if not isinstance(raw, dict):
            return cls(message=str(raw))

        def text(key: str) -> str | None:
            value = raw.get(key)
            return None if value is None else str(value)

        return cls(
            code=text("code"),
            message=text("message"),
            http_status=text("httpStatus"),
            type=text("type"),
            sku_seller_id=text("skuSellerId"),
        )


def parse_error_envelope(body: bytes | str | None) -> list[CnovaErrorDetail]:
    """Read Cnova's error envelope; any other body becomes one detail holding (a prefix of) the text."""
    if not body:
        return []
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return [CnovaErrorDetail(message=text[:500])]
    if isinstance(data, dict) and isinstance(data.get("errors"), list):
        return [CnovaErrorDetail.from_wire(item) for item in data["errors"]]
    if isinstance(data, dict) and ("message" in data or "code" in data):
        return [CnovaErrorDetail.from_wire(data)]
    return [CnovaErrorDetail(message=text[:500])]


class CnovaError(Exception):
    """Base error: ``status`` (HTTP status or None when no response), ``errors``, ``request_path``."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: list[CnovaErrorDetail] | None = None,
        request_path: str | None = None,
        method: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors: list[CnovaErrorDetail] = list(errors or [])
        self.request_path = request_path
        self.method = method

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self.errors if e.message]

    def errors_for_sku(self, sku_seller_id: str) -> list[CnovaErrorDetail]:
        return [e for e in self.errors if e.sku_seller_id == sku_seller_id]

    def __str__(self) -> str:
        where = f" ({self.method} {self.request_path})" if self.request_path else ""
        status = f"HTTP {self.status}: " if self.status is not None else ""
        details = "; ".join(self.messages)
        return f"{status}{self.message}{where}" + (f": {details}" if details else "")


class CnovaValidationError(CnovaError):
    """Cnova refused the request as invalid (400, 409, 413, 422 and any other unmapped 4xx)."""


class CnovaNotFound(CnovaError):
    """404: the order, item, SKU or load does not exist for this seller."""


class CnovaAuthError(CnovaError):
    """401/403: ``client_id``/``access_token`` missing, wrong or not allowed for this resource."""


class CnovaRateLimited(CnovaError):
    """429 (or the client-side limiter's budget ran out). The request was NOT executed by Cnova.

    ``retry_after`` is the number of seconds after which a new attempt may succeed, measured from
    ``raised_at`` (time.time() when raised). ``resume_offset`` is set when the error interrupted a
    paginated listing: pass it back as ``start_offset`` to resume.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float,
        raised_at: float,
        resource: str | None = None,
        status: int | None = 429,
        errors: list[CnovaErrorDetail] | None = None,
        request_path: str | None = None,
        method: str | None = None,
    ) -> None:
        super().__init__(message, status=status, errors=errors, request_path=request_path, method=method)
        self.retry_after = max(0.0, retry_after)
        self.raised_at = raised_at
        self.resource = resource
        self.resume_offset: int | None = None

    @property
    def retry_at(self) -> float:
        """Epoch seconds (time.time() scale) after which to try again."""
        return self.raised_at + self.retry_after


class CnovaUnavailable(CnovaError):
    """5xx, timeouts or connection errors that outlived the retry budget.

    ``ambiguous`` is True when Cnova may have applied the request (a POST whose outcome is unknown
    and could not be verified); the caller must check before sending it again.
    """

    def __init__(self, message: str, *, ambiguous: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.ambiguous = ambiguous


class CnovaPaginationError(CnovaError):
    """Pages of a listing did not tile (short page before ``totalRows``, total shrank, items shifted)."""

    def __init__(self, message: str, *, offset: int, total_rows: int | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.offset = offset
        self.total_rows = total_rows


class CnovaProtocolError(CnovaError):
    """A 2xx response whose body does not fit the contract (not JSON, or not the expected model)."""


def error_for_status(
    status: int,
    errors: list[CnovaErrorDetail],
    *,
    method: str,
    request_path: str,
    retry_after: float = 0.0,
    raised_at: float = 0.0,
    resource: str | None = None,
) -> CnovaError:
    """Map an HTTP error status to the typed error."""
    common: dict[str, Any] = {
        "status": status,
        "errors": errors,
        "request_path": request_path,
        "method": method,
    }
    if status in (401, 403):
        return CnovaAuthError("cnova rejected the credentials", **common)
    if status == 404:
        return CnovaNotFound("not found at cnova", **common)
    if status == 429:
        return CnovaRateLimited(
            "cnova rate limit exceeded",
            retry_after=retry_after,
            raised_at=raised_at,
            resource=resource,
            **common,
        )
    if status >= 500:
        return CnovaUnavailable("cnova server error", **common)
    return CnovaValidationError("cnova rejected the request", **common)
