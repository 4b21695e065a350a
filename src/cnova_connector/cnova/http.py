"""HTTP transport of the Cnova client: auth headers, timeouts, rate limiting, retries, logging.

The retry loop is explicit rather than urllib3's ``Retry`` because every attempt, first or repeated,
must pass through the rate limiter, a 429 must feed the limiter and honour ``Retry-After``, and a
POST whose outcome is ambiguous must be verified before it is repeated. The ``requests`` adapter is
therefore mounted with ``max_retries=0`` so urllib3 never repeats a request behind our back.
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote, urlencode

import requests
from requests.adapters import HTTPAdapter

from ._log import logger
from .errors import (
    CnovaError,
    CnovaProtocolError,
    CnovaRateLimited,
    CnovaUnavailable,
    error_for_status,
    parse_error_envelope,
)
from .ratelimit import RateLimiter, RateLimitWaitTooLong

__all__ = [
    "PRODUCTION_URL",
    "SANDBOX_LOCAL_URL",
    "SANDBOX_URL",
    "VIA_PRODUCTION_URL",
    "VIA_SANDBOX_URL",
    "CnovaCredentials",
    "HttpResult",
    "RetryMode",
    "RetryPolicy",
    "Timeouts",
    "Transport",
    "time_budget",
]

PRODUCTION_URL = "https://api.cnova.com/api/v2"
SANDBOX_URL = "https://sandbox.cnova.com/api/v2"
SANDBOX_LOCAL_URL = "http://127.0.0.1:8040/api/v2"
#: the same v2 contract on the Via Varejo hosts (cnova-api.md §1)
VIA_PRODUCTION_URL = "https://api-mktplace.viavarejo.com.br/api/v2"
VIA_SANDBOX_URL = "https://sandbox-mktplace.viavarejo.com.br/api/v2"


def time_budget(seconds: float, clock: Callable[[], float] = time.monotonic) -> Callable[[], float]:
    """A ``remaining_time`` for :class:`CnovaClient` outside Lambda: seconds left of a budget that
    starts now (in Lambda use ``lambda: context.get_remaining_time_in_millis() / 1000``)."""
    deadline = clock() + seconds
    return lambda: deadline - clock()


@dataclass(frozen=True)
class CnovaCredentials:
    """The two static headers of Cnova v2. ``access_token`` never appears in reprs or logs."""

    client_id: str
    access_token: str = field(repr=False)


@dataclass(frozen=True)
class Timeouts:
    connect: float = 3.05
    read: float = 20.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries.

    * ``max_attempts``: attempts in total for a request failing with a timeout, a connection error or a
      status in ``retry_statuses`` (429 is counted separately).
    * backoff before attempt n+1: ``min(backoff_max, backoff_base * 2**(n-1))``, with full jitter
      (a uniform draw in [0, that]) when ``jitter`` is on; a ``Retry-After`` on a 503 is honoured.
    * ``max_rate_limit_wait``: seconds one call may spend waiting for the limiter and for 429s, in
      total; beyond it :class:`CnovaRateLimited` is raised (0 makes the client non-blocking).
    * ``max_429_retries``: repeats after a 429 before giving up with :class:`CnovaRateLimited`.
    * ``default_retry_after``: wait after a 429 without ``Retry-After`` when the resource has no known
      window (otherwise the resource's window: by then a fixed-window counter has reset).
    """

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    jitter: bool = True
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    max_rate_limit_wait: float = 65.0
    max_429_retries: int = 3
    default_retry_after: float = 60.0

    def backoff(self, failures: int, rng: Callable[[], float] = random.random) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** max(0, failures - 1)))
        return ceiling * rng() if self.jitter else ceiling


class RetryMode(Enum):
    """What may be repeated after an *ambiguous* failure (timeout while reading, dropped connection,
    5xx: Cnova may or may not have applied the request). Failures where the request certainly was not
    executed (connect timeout, 429) are repeated in every mode."""

    IDEMPOTENT = "idempotent"  # repeat freely: GET, PUT, DELETE, and POSTs whose repeat is harmless
    VERIFY = "verify"  # ask ``verify()`` whether it was applied; repeat only if it was not
    NEVER = "never"  # never repeat an ambiguous failure (a repeat could apply twice)


@dataclass
class HttpResult:
    status: int
    data: Any
    headers: Mapping[str, str]
    verified: bool = False  # True when an ambiguous failure was resolved by verify() (no response body)


def _parse_retry_after(value: str | None, now_wall: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - now_wall)


def parse_json(content: bytes) -> Any:
    """JSON with every non-integer number as Decimal (no binary float on the way)."""
    if not content or not content.strip():
        return None
    return json.loads(content, parse_float=Decimal)


class Transport:
    """Sends one logical request, with limiter, retries and logging; raises typed errors."""

    def __init__(
        self,
        base_url: str,
        credentials: CnovaCredentials,
        *,
        limiter: RateLimiter,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        remaining_time: Callable[[], float] | None = None,
        deadline_margin: float = 2.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.limiter = limiter
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=16)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self.session = session
        self.clock = clock
        self.wall_clock = wall_clock
        self.sleep = sleep
        self.rng = rng
        self.remaining_time = remaining_time
        self.deadline_margin = deadline_margin

    # -- helpers -----------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        # Content-Type on every request: the docs ask for it and it is harmless on GET/DELETE
        return {
            "client_id": self.credentials.client_id,
            "access_token": self.credentials.access_token,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def _sleep_allowance(self) -> float | None:
        """Longest sleep the Lambda deadline allows (None: no deadline)."""
        if self.remaining_time is None:
            return None
        budget = self.remaining_time() - self.deadline_margin - self.timeouts.read
        return max(0.0, budget)

    @staticmethod
    def _log_applied(method: str, path: str, failure: str | None) -> None:
        logger.info(
            "cnova request found applied despite failure",
            extra={"method": method, "path": path, "failure": failure},
        )

    def _verified(self, verify: Callable[[], bool], method: str, path: str, failure: str) -> bool:
        try:
            applied = verify()
        except CnovaError:
            return False
        if applied:
            self._log_applied(method, path, failure)
        return applied

    @staticmethod
    def build_path(template: str, path_params: Mapping[str, Any] | None) -> str:
        if not path_params:
            return template
        return template.format(**{k: quote(str(v), safe="") for k, v in path_params.items()})

    # -- the request loop --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        template: str,
        path_params: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        resource: str | None = None,
        mode: RetryMode = RetryMode.IDEMPOTENT,
        verify: Callable[[], bool] | None = None,
    ) -> HttpResult:
        method = method.upper()
        path = self.build_path(template, path_params)
        resource = resource or f"{method} {template}"
        url = self.base_url + path
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        query = {k: v for k, v in (params or {}).items() if v is not None}
        # like the official SDK, keep "*", "," and ":" of date ranges readable; "+" and spaces are escaped
        query_string = urlencode(query, quote_via=quote, safe="*,:") if query else None
        wait_budget = self.retry.max_rate_limit_wait
        failures = 0
        rate_limited = 0
        attempt = 0

        while True:
            attempt += 1
            # 1. the limiter: never start a request the limits (or the budget) do not allow
            allowance = self._sleep_allowance()
            max_wait = wait_budget if allowance is None else min(wait_budget, allowance)
            try:
                slot = self.limiter.acquire(resource, max_wait=max_wait)
            except RateLimitWaitTooLong as exc:
                logger.info(
                    "cnova rate limit budget exhausted",
                    extra={
                        "method": method,
                        "path": path,
                        "resource": resource,
                        "retry_after": exc.wait_seconds,
                    },
                )
                raise CnovaRateLimited(
                    "client-side rate limit: waiting would exceed the budget; the request was not sent",
                    retry_after=exc.wait_seconds,
                    raised_at=self.wall_clock(),
                    resource=resource,
                    status=None,
                    request_path=path,
                    method=method,
                ) from None
            wait_budget -= slot.waited

            # 2. one attempt
            started = self.clock()
            response: requests.Response | None = None
            failure: str | None = None
            certainly_not_sent = False
            try:
                response = self.session.request(
                    method,
                    url,
                    params=query_string,
                    data=payload,
                    headers=self._headers(),
                    timeout=(self.timeouts.connect, self.timeouts.read),
                    allow_redirects=False,
                )
            except requests.exceptions.ConnectTimeout:
                failure, certainly_not_sent = "connect timeout", True
            except requests.exceptions.Timeout:
                failure = "read timeout"
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                failure = f"connection error: {type(exc).__name__}"
            finally:
                slot.complete()
            duration_ms = round((self.clock() - started) * 1000, 1)
            status = response.status_code if response is not None else None
            logger.info(
                "cnova request",
                extra={
                    "method": method,
                    "path": path,
                    "resource": resource,
                    "status": status,
                    "duration_ms": duration_ms,
                    "attempt": attempt,
                    **({"failure": failure} if failure else {}),
                },
            )

            # 3. outcome
            if response is not None and status is not None:
                if status < 400:
                    try:
                        data = parse_json(response.content)
                    except ValueError as exc:
                        raise CnovaProtocolError(
                            "cnova answered a body that is not JSON",
                            status=status,
                            request_path=path,
                            method=method,
                        ) from exc
                    return HttpResult(status, data, response.headers)
                errors = parse_error_envelope(response.content)
                if status == 429:
                    limit = self.limiter.limit_for(resource)
                    retry_after = _parse_retry_after(response.headers.get("Retry-After"), self.wall_clock())
                    if retry_after is None:
                        retry_after = limit.window_seconds if limit else self.retry.default_retry_after
                    self.limiter.block_until(resource, self.limiter.clock() + retry_after)
                    rate_limited += 1
                    allowance = self._sleep_allowance()
                    fits = retry_after <= wait_budget and (allowance is None or retry_after <= allowance)
                    if rate_limited <= self.retry.max_429_retries and fits:
                        # the request was not executed by Cnova: repeating it is always safe; the
                        # limiter (blocked until retry_after) does the waiting at the top of the loop
                        continue
                    raise CnovaRateLimited(
                        "cnova answered 429; the request was not executed",
                        retry_after=retry_after,
                        raised_at=self.wall_clock(),
                        resource=resource,
                        errors=errors,
                        request_path=path,
                        method=method,
                    )
                if status not in self.retry.retry_statuses:
                    # A repeat refused (e.g. as a duplicate) may mean the first attempt landed after all,
                    # late, after our verification: look once more before reporting the refusal.
                    repeat_refused = (
                        mode is RetryMode.VERIFY and verify is not None and failures and status < 500
                    )
                    if repeat_refused and verify and self._verified(verify, method, path, f"http {status}"):
                        return HttpResult(status, None, {}, verified=True)
                    raise error_for_status(
                        status, errors, method=method, request_path=path, resource=resource
                    )
                failure = f"http {status}"
                server_retry_after = _parse_retry_after(
                    response.headers.get("Retry-After"), self.wall_clock()
                )
            else:
                errors = []
                server_retry_after = None

            # 4. a failure: decide whether to repeat
            failures += 1
            ambiguous = not certainly_not_sent
            if ambiguous and mode is RetryMode.NEVER:
                raise CnovaUnavailable(
                    f"{failure}; not repeated because a repeat could apply the request twice",
                    ambiguous=True,
                    status=status,
                    errors=errors,
                    request_path=path,
                    method=method,
                )
            can_verify = ambiguous and mode is RetryMode.VERIFY and verify is not None
            last = failures >= self.retry.max_attempts
            unavailable_kwargs: dict[str, Any] = {
                "ambiguous": ambiguous and mode is not RetryMode.IDEMPOTENT,
                "status": status,
                "errors": errors,
                "request_path": path,
                "method": method,
            }
            if last and not can_verify:
                raise CnovaUnavailable(f"{failure} after {failures} attempt(s)", **unavailable_kwargs)
            delay = self.retry.backoff(failures, self.rng)
            if server_retry_after is not None:
                delay = max(delay, min(server_retry_after, self.retry.backoff_max))
            allowance = self._sleep_allowance()
            out_of_time = allowance is not None and delay > allowance
            if out_of_time and not can_verify:
                raise CnovaUnavailable(
                    f"{failure}; no time left before the deadline to retry", **unavailable_kwargs
                )
            if not out_of_time:
                # For a POST to verify, the pause comes *before* the check: a request that timed out may
                # still be running at Cnova, and checking too early would repeat it needlessly.
                logger.info(
                    "cnova request retry", extra={"method": method, "path": path, "delay": round(delay, 3)}
                )
                self.sleep(delay)
            if can_verify:
                assert verify is not None
                try:
                    applied = verify()
                except CnovaError as exc:
                    raise CnovaUnavailable(
                        f"{failure}; could not verify whether cnova applied the request", **unavailable_kwargs
                    ) from exc
                if applied:
                    self._log_applied(method, path, failure)
                    return HttpResult(status or 0, None, {}, verified=True)
                if last or out_of_time:
                    raise CnovaUnavailable(
                        f"{failure} after {failures} attempt(s); not found applied", **unavailable_kwargs
                    )
