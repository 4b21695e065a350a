"""Run each function's handler in long-lived subprocesses, like Lambda sandboxes.

A :class:`Worker` is one ``python -m local_stack.lambda_runtime`` process with the function's
environment (template variables resolved to physical names, plus the local overrides: endpoint,
fake credentials, region, Powertools settings). A :class:`FunctionPool` holds one or more workers
of a function; :class:`Workers` holds the pools and is the ``invoke(function_id, event)`` the
pumps and the API server call. A handler that runs past its ``Timeout`` is killed and its worker
restarted (the next invocation is a cold start), as Lambda does.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from local_stack.resources import DeployedStack, FunctionSpec

log = logging.getLogger("local_stack.workers")

_TOOLS_DIR = str(Path(__file__).resolve().parent.parent)
_UNWATCHED = {"__pycache__", "node_modules", "venv", "build", "dist"}
_PASSTHROUGH_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "VIRTUAL_ENV", "SYSTEMROOT")


@dataclass
class InvokeOutcome:
    """What an invocation returned: the handler's result, or Lambda's error payload."""

    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None
    duration_ms: float = 0.0
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def error_message(self) -> str:
        return str((self.error or {}).get("errorMessage", ""))

    @property
    def error_type(self) -> str:
        return str((self.error or {}).get("errorType", ""))


def sandbox_environment(
    spec: FunctionSpec,
    *,
    region: str,
    endpoint_url: str | None,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment a function's worker runs with (what the Lambda service would set, plus the
    local overrides that point the SDKs at the emulator)."""
    env = {k: os.environ[k] for k in _PASSTHROUGH_ENV if k in os.environ}
    env.update(
        {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(spec.timeout),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime or 'python3'}",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "LOCAL_STACK_FUNCTION_ARN": spec.arn,
            "_HANDLER": spec.handler,
            "PYTHONUNBUFFERED": "1",
            "POWERTOOLS_METRICS_NAMESPACE": "LocalStack",
        }
    )
    env.update(spec.environment)
    env["POWERTOOLS_TRACE_DISABLED"] = "true"
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    pythonpath = [str(spec.code_dir), _TOOLS_DIR]
    if os.environ.get("PYTHONPATH"):
        pythonpath.append(os.environ["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    env.update(overrides or {})
    return env


class Worker:
    """One sandbox process. Not thread-safe: a pool hands it to one caller at a time."""

    _ids = itertools.count(1)

    def __init__(self, spec: FunctionSpec, env: Mapping[str, str], *, ready_timeout: float = 60.0) -> None:
        self.spec = spec
        self.env = dict(env)
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._seq = itertools.count(1)
        self.cold_starts = 0
        self.index = next(self._ids)
        self._ready = False

    # -- lifecycle
    def start(self) -> None:
        """Spawn the process (cold start); returns without waiting for the import."""
        self._lines = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "local_stack.lambda_runtime"],
            cwd=str(self.spec.code_dir),
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.cold_starts += 1
        assert self.proc.stdout is not None and self.proc.stderr is not None
        threading.Thread(
            target=self._read_protocol, args=(self.proc.stdout, self._lines), daemon=True
        ).start()
        threading.Thread(target=self._relay_logs, args=(self.proc.stderr,), daemon=True).start()
        self._ready = False

    def _read_protocol(self, stream: TextIO, lines: queue.Queue[str | None]) -> None:
        with contextlib.suppress(Exception):
            for line in stream:
                lines.put(line)
            stream.close()
        lines.put(None)  # EOF: the process ended

    def _relay_logs(self, stream: TextIO) -> None:
        name = self.spec.logical_id
        with contextlib.suppress(Exception):
            for line in stream:
                sys.stderr.write(f"[{name}] {line}" if line.endswith("\n") else f"[{name}] {line}\n")
            stream.close()

    def wait_ready(self) -> dict[str, Any] | None:
        """Wait for the import to finish; returns the init error payload, if any."""
        if self._ready:
            return None
        try:
            line = self._lines.get(timeout=self.ready_timeout)
        except queue.Empty:
            self.kill()
            return {"errorType": "Runtime.InitTimeout", "errorMessage": "handler import timed out"}
        if line is None:
            self.kill()
            return {"errorType": "Runtime.ExitError", "errorMessage": "sandbox exited while importing"}
        self._ready = True
        msg = json.loads(line)
        if not msg.get("ready"):
            log.error("%s: %s", self.spec.logical_id, msg["error"]["errorMessage"])
        return None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.kill()
            proc.wait(timeout=5)
        except Exception:  # already gone
            pass
        # stdout/stderr are left to their reader threads, which end at EOF (closing them here
        # would race with those reads)
        with contextlib.suppress(Exception):
            if proc.stdin is not None:
                proc.stdin.close()

    def stop(self, grace: float = 2.0) -> None:
        proc = self.proc
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()  # the runtime loop ends on EOF
            proc.wait(timeout=grace)
        except Exception:
            pass
        self.kill()

    # -- invoke
    def invoke(self, event: Any, *, timeout: float | None = None) -> InvokeOutcome:
        if not self.alive():
            self.start()
        init_error = self.wait_ready()
        request_id = str(uuid.uuid4())
        if init_error is not None:
            return InvokeOutcome(False, error=init_error, request_id=request_id)
        limit = float(timeout if timeout is not None else self.spec.timeout)
        started = time.monotonic()
        req_id = next(self._seq)
        request = {
            "id": req_id,
            "event": event,
            "requestId": request_id,
            "deadlineMs": int(time.time() * 1000 + limit * 1000),
        }
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            return InvokeOutcome(
                False,
                error={"errorType": "Runtime.ExitError", "errorMessage": "sandbox process exited"},
                request_id=request_id,
            )
        deadline = started + limit + 0.25
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                log.warning("%s: task timed out after %.2f seconds", self.spec.logical_id, limit)
                return InvokeOutcome(
                    False,
                    error={
                        "errorType": "Sandbox.Timedout",
                        "errorMessage": f"Task timed out after {limit:.2f} seconds",
                    },
                    duration_ms=(time.monotonic() - started) * 1000,
                    request_id=request_id,
                )
            if line is None:
                self.kill()
                return InvokeOutcome(
                    False,
                    error={"errorType": "Runtime.ExitError", "errorMessage": "sandbox process exited"},
                    duration_ms=(time.monotonic() - started) * 1000,
                    request_id=request_id,
                )
            msg = json.loads(line)
            if msg.get("id") != req_id:
                continue  # a late answer to a request we gave up on
            return InvokeOutcome(
                bool(msg["ok"]),
                result=msg.get("result"),
                error=msg.get("error"),
                duration_ms=(time.monotonic() - started) * 1000,
                request_id=request_id,
            )


class FunctionPool:
    """Up to ``size`` concurrent sandboxes of one function."""

    def __init__(self, spec: FunctionSpec, env: Mapping[str, str], size: int = 1) -> None:
        self.spec = spec
        self.workers = [Worker(spec, env) for _ in range(max(1, size))]
        self._idle: queue.Queue[Worker] = queue.Queue()
        for w in self.workers:
            self._idle.put(w)
        self.invocations = 0
        self.generation = 0  # bumped when the code changed: older sandboxes restart when next idle
        self._started: dict[int, int] = {id(w): 0 for w in self.workers}

    def start(self) -> None:
        for w in self.workers:
            w.start()

    def wait_ready(self) -> None:
        for w in self.workers:
            w.wait_ready()

    def invoke(self, event: Any, *, timeout: float | None = None) -> InvokeOutcome:
        worker = self._idle.get()
        try:
            if self._started[id(worker)] < self.generation:
                worker.stop(grace=0.5)  # code changed since it started: cold start with the new code
                self._started[id(worker)] = self.generation
            self.invocations += 1
            return worker.invoke(event, timeout=timeout)
        finally:
            self._idle.put(worker)

    def code_changed(self) -> None:
        self.generation += 1

    def stop(self) -> None:
        for w in self.workers:
            w.stop()


class Workers:
    """All functions of a deployed stack, invocable by logical id."""

    def __init__(
        self,
        stack: DeployedStack,
        *,
        env_overrides: Mapping[str, str] | None = None,
        pool_sizes: Mapping[str, int] | None = None,
    ) -> None:
        self.stack = stack
        self.pools: dict[str, FunctionPool] = {}
        for logical_id, spec in stack.functions.items():
            if not spec.code_dir.is_dir():
                log.error("%s: code directory %s does not exist; not runnable", logical_id, spec.code_dir)
                continue
            env = sandbox_environment(
                spec, region=stack.region, endpoint_url=stack.endpoint_url, overrides=env_overrides
            )
            self.pools[logical_id] = FunctionPool(spec, env, (pool_sizes or {}).get(logical_id, 1))

    def start(self, *, wait: bool = True) -> None:
        """Start every sandbox in parallel (cold starts), optionally waiting for the imports."""
        for pool in self.pools.values():
            pool.start()
        if wait:
            for pool in self.pools.values():
                pool.wait_ready()

    def invoke(self, function_id: str, event: Any, *, timeout: float | None = None) -> InvokeOutcome:
        pool = self.pools.get(function_id)
        if pool is None:
            return InvokeOutcome(
                False,
                error={
                    "errorType": "ResourceNotFoundException",
                    "errorMessage": f"function {function_id} is not runnable locally",
                },
            )
        outcome = pool.invoke(event, timeout=timeout)
        if not outcome.ok:
            log.info("%s failed: %s: %s", function_id, outcome.error_type, outcome.error_message[:200])
        return outcome

    def watch(self, extra_dirs: list[Path] | None = None, interval: float = 1.0) -> threading.Event:
        """Restart a function's sandboxes (at their next invocation) when a ``.py`` file under its code
        directory, or under ``extra_dirs`` (shared code, for every function), changes. Returns the
        event that stops the watcher."""
        stop = threading.Event()
        shared = [d for d in (extra_dirs or []) if d.is_dir()]

        def snapshot(dirs: list[Path]) -> dict[str, float]:
            out: dict[str, float] = {}
            for d in dirs:
                for root, subdirs, files in os.walk(d):
                    subdirs[:] = [x for x in subdirs if not x.startswith(".") and x not in _UNWATCHED]
                    for name in files:
                        if name.endswith(".py"):
                            path = os.path.join(root, name)
                            with contextlib.suppress(OSError):
                                out[path] = os.stat(path).st_mtime
            return out

        def run() -> None:
            own = {fid: snapshot([p.spec.code_dir]) for fid, p in self.pools.items()}
            common = snapshot(shared)
            while not stop.wait(interval):
                now_common = snapshot(shared)
                everyone = now_common != common
                common = now_common
                for fid, pool in self.pools.items():
                    now_own = snapshot([pool.spec.code_dir])
                    if everyone or now_own != own[fid]:
                        own[fid] = now_own
                        pool.code_changed()
                        log.info("%s: code changed; sandboxes restart at their next invocation", fid)

        threading.Thread(target=run, name="code-watcher", daemon=True).start()
        return stop

    def stop(self) -> None:
        threads = [threading.Thread(target=p.stop) for p in self.pools.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
