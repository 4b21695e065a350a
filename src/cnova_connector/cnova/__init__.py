"""Cnova Marketplace API v2 client (see docs/cnova-client.md)."""

from __future__ import annotations

from .client import CnovaClient, date_range
from .errors import (
    CnovaAuthError,
    CnovaError,
    CnovaErrorDetail,
    CnovaNotFound,
    CnovaPaginationError,
    CnovaProtocolError,
    CnovaRateLimited,
    CnovaUnavailable,
    CnovaValidationError,
)
from .http import (
    PRODUCTION_URL,
    SANDBOX_LOCAL_URL,
    SANDBOX_URL,
    CnovaCredentials,
    RetryMode,
    RetryPolicy,
    Timeouts,
    time_budget,
)
from .pagination import PageIterator
from .ratelimit import DEFAULT_RATE_LIMITS, RateLimit, RateLimiter, reset_shared_limiters, shared_limiter

__all__ = [
    "DEFAULT_RATE_LIMITS",
    "PRODUCTION_URL",
    "SANDBOX_LOCAL_URL",
    "SANDBOX_URL",
    "VIA_PRODUCTION_URL",
    "VIA_SANDBOX_URL",
    "CnovaAuthError",
    "CnovaClient",
    "CnovaCredentials",
    "CnovaError",
    "CnovaErrorDetail",
    "CnovaNotFound",
    "CnovaPaginationError",
    "CnovaProtocolError",
    "CnovaRateLimited",
    "CnovaUnavailable",
    "CnovaValidationError",
    "PageIterator",
    "RateLimit",
    "RateLimiter",
    "RetryMode",
    "RetryPolicy",
    "Timeouts",
    "date_range",
    "reset_shared_limiters",
    "shared_limiter",
    "time_budget",
]
