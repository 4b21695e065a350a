"""The one Logger, Tracer and Metrics every module uses (house style §3).

Log lines are short lowercase phrases with structured keys (``store_id``, ``sku_id``, ``order_id``);
one PascalCase metric per meaningful event. Never log a secret or a customer document number.

Tracing: the X-Ray SDK behind Powertools' Tracer costs about as much as importing boto3 at every cold
start (``make bench``), which alone would break the 2x budget. The template turns it off with the
standard ``POWERTOOLS_TRACE_DISABLED=true`` and keeps Lambda's active tracing (one segment per
invocation). With it off, ``tracer`` keeps the same decorators and does nothing, without importing the
SDK; set the variable to ``false`` on a function to get Powertools' subsegments there.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

SERVICE = "cnova-connector"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="CnovaConnector", service=SERVICE)
# A read-only request has nothing to count; that is normal, not worth a warning on every invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


class _UntracedTracer:
    """Tracer's decorators, for when tracing is off (no X-Ray SDK import)."""

    def capture_lambda_handler(self, handler: Callable[..., Any] | None = None, **_: Any) -> Any:
        if handler is None:
            return lambda fn: fn
        return handler

    def capture_method(self, method: Callable[..., Any] | None = None, **_: Any) -> Any:
        if method is None:
            return lambda fn: fn
        return method

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        return None


def _tracer() -> Any:
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true"):
        return _UntracedTracer()
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


tracer = _tracer()

__all__ = ["SERVICE", "logger", "metrics", "tracer"]
