"""The inside of a local Lambda sandbox: ``python -m local_stack.lambda_runtime``.

Started by ``workers.py`` with the function's environment and its code directory as the working
directory (first on ``sys.path``, like ``/var/task``). Imports the handler once (cold start), then
reads one JSON request per line on stdin and writes one JSON response per line on the protocol
pipe (the original stdout). Whatever the handler prints goes to stderr, which the parent prefixes
with the function name.

Request: ``{"id", "event", "requestId", "deadlineMs"}``; response: ``{"id", "ok", "result"}`` or
``{"id", "ok": false, "error": {"errorMessage", "errorType", "stackTrace"}}``. The first line
written is ``{"ready": true}`` (or the import error).
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import signal
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The attributes and method of the real runtime's context object."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("LOCAL_STACK_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_exception(exc)[1:],
    }


def main() -> None:
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when sandboxes end
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # the handler's prints go to stderr
    sys.stdout = sys.stderr
    handler_spec = os.environ["_HANDLER"]
    module_name, _, attr = handler_spec.rpartition(".")
    handler: Any = None
    init_error: dict[str, Any] | None = None
    try:
        module = importlib.import_module(module_name.replace("/", "."))
        handler = getattr(module, attr)
    except Exception as exc:
        init_error = _error(exc, "Runtime.ImportModuleError")
        init_error["errorMessage"] = f"Unable to import module '{module_name}': {exc}"
    protocol.write(json.dumps({"ready": init_error is None, "error": init_error}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        if init_error is not None:
            response: dict[str, Any] = {"id": req["id"], "ok": False, "error": init_error}
        else:
            context = LambdaContext(req["requestId"], int(req["deadlineMs"]))
            try:
                result = handler(req["event"], context)
            except Exception as exc:
                response = {"id": req["id"], "ok": False, "error": _error(exc)}
            else:
                response = {"id": req["id"], "ok": True, "result": result}
        try:
            text = json.dumps(response, default=_default)
        except (TypeError, ValueError) as exc:
            text = json.dumps({"id": req["id"], "ok": False, "error": _error(exc, "Runtime.MarshalError")})
        protocol.write(text + "\n")


if __name__ == "__main__":
    main()
