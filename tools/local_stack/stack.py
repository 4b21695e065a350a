"""The whole local stack: moto server, the template's resources, the Cnova sandbox, the function
sandboxes, the event pumps and the API server, started and stopped together.

    with LocalStack("template.yaml", aws_port=0, api_port=0, sandbox=False) as ls:
        requests.get(ls.api_url + "/v1/openapi.json")
        ls.tick("PollOrdersSchedule")

Ports: an explicit argument wins, else the environment variable (``AWS_PORT``, ``API_PORT``,
``CNOVA_SANDBOX_PORT``), else the default (5000, 3000, 8040); 0 picks a free port.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from local_stack.apigw import ApiServer
from local_stack.pumps import QueuePump, SchedulePump, SnsPump, StreamPump, _Pump, prune_shard_iterators
from local_stack.resources import DeployedStack, client_factory, deploy
from local_stack.template import DEFAULT_REGION
from local_stack.workers import InvokeOutcome, Workers

log = logging.getLogger("local_stack")

DEFAULT_AWS_PORT = 5000
DEFAULT_API_PORT = 3000
DEFAULT_SANDBOX_PORT = 8040
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def port_from_env(value: int | None, env_name: str, default: int) -> int:
    if value is not None:
        return value
    raw = os.environ.get(env_name)
    return int(raw) if raw not in (None, "") else default


class LocalStack:
    """Start with :meth:`start` (or ``with``), stop with :meth:`stop`; everything it started is
    stopped, in reverse order. ``sandbox``: start the Cnova sandbox (``None`` = if importable).
    ``demo``: create the demo stores (``local_stack.demo``) when that module exists."""

    def __init__(
        self,
        template_path: str | Path,
        *,
        host: str = "127.0.0.1",
        aws_port: int | None = None,
        api_port: int | None = None,
        sandbox_port: int | None = None,
        stack_name: str = "local",
        region: str = DEFAULT_REGION,
        parameter_overrides: Mapping[str, Any] | None = None,
        env_overrides: Mapping[str, str] | None = None,
        sandbox: bool | None = None,
        demo: bool = True,
        api_workers: int | None = None,
        schedule_speedup: float | None = None,
        output_path: str | Path | None = None,
        moto_mode: str = "process",
        reload: bool = False,
        watch_dirs: list[str | Path] | None = None,
    ) -> None:
        self.template_path = Path(template_path).resolve()
        self.host = host
        self.aws_port = port_from_env(aws_port, "AWS_PORT", DEFAULT_AWS_PORT)
        self.api_port = port_from_env(api_port, "API_PORT", DEFAULT_API_PORT)
        self.sandbox_port = port_from_env(sandbox_port, "CNOVA_SANDBOX_PORT", DEFAULT_SANDBOX_PORT)
        self.stack_name = stack_name
        self.region = region
        self.parameter_overrides = dict(parameter_overrides or {})
        self.env_overrides = dict(env_overrides or {})
        self.want_sandbox = sandbox
        self.want_demo = demo
        self.api_workers = api_workers or int(os.environ.get("LOCAL_STACK_API_WORKERS", "2"))
        self.schedule_speedup = schedule_speedup
        self.output_path = Path(output_path) if output_path else None
        if moto_mode not in ("process", "thread"):
            raise ValueError("moto_mode is 'process' or 'thread'")
        self.moto_mode = moto_mode
        self.reload = reload
        # shared code every function imports (the core package); default: src/ beside the template
        default_watch = [self.template_path.parent / "src"]
        self.watch_dirs = [Path(d) for d in watch_dirs] if watch_dirs is not None else default_watch
        self._watcher: threading.Event | None = None

        self.aws_endpoint_url: str = ""
        self.api_url: str = ""
        self.sandbox_url: str | None = None
        self.sandbox: Any = None  # cnova_sandbox.testing.SandboxHandle when running
        self.stack: DeployedStack | None = None
        self.workers: Workers | None = None
        self.pumps: list[_Pump] = []
        self.schedules: SchedulePump | None = None
        self.api: ApiServer | None = None
        self.stores: list[dict[str, Any]] = []
        self._moto: Any = None
        self._sandbox_server: Any = None
        self._stopped = threading.Event()

    # ------------------------------------------------------------------------------- lifecycle
    def start(self) -> LocalStack:
        started = time.monotonic()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        log.info("local stack ready in %.1f s", time.monotonic() - started)
        return self

    def _start(self) -> None:
        from moto.server import ThreadedMotoServer

        self._start_sandbox()
        if self.moto_mode == "thread":
            # ThreadedMotoServer.start() waits forever if its port is taken: check first
            _check_port_free(self.host, self.aws_port, "AWS_PORT")
            self._moto = ThreadedMotoServer(ip_address=self.host, port=self.aws_port, verbose=False)
        else:
            self._moto = MotoProcess(self.host, self.aws_port)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.aws_endpoint_url = f"http://{host}:{port}"
        log.info("moto server on %s", self.aws_endpoint_url)

        overrides = dict(self.parameter_overrides)
        declared = _declared_parameters(self.template_path)
        if self.sandbox is not None and "CnovaApiUrl" in declared and "CnovaApiUrl" not in overrides:
            overrides["CnovaApiUrl"] = self.sandbox.api_url
        self.stack = deploy(
            self.template_path,
            session_or_clients=self._session(),
            endpoint_url=self.aws_endpoint_url,
            stack_name=self.stack_name,
            parameter_overrides=overrides,
            region=self.region,
        )
        emulated = [r for r in self.stack.resources.values() if r.emulated]
        log.info(
            "deployed %s: %d resources, %d functions",
            self.stack_name,
            len(emulated),
            len(self.stack.functions),
        )

        # the API server binds its port now: functions get it as their Lambda endpoint
        self.api = ApiServer(self.stack, self.invoke, host=self.host, port=self.api_port, tick=self.tick)
        env_overrides = {"AWS_ENDPOINT_URL_LAMBDA": self.api.url, **self.env_overrides}
        api_functions = {r.function_id for a in self.stack.apis.values() for r in a.routes}
        api_functions |= {au.function_id for a in self.stack.apis.values() for au in a.authorizers.values()}
        self.workers = Workers(
            self.stack,
            env_overrides=env_overrides,
            pool_sizes={f: self.api_workers for f in api_functions},
        )
        self.workers.start(wait=True)
        if self.reload:
            self._watcher = self.workers.watch(self.watch_dirs)

        for mapping in self.stack.event_source_mappings.values():
            if not mapping.enabled:
                continue
            pump_cls = StreamPump if mapping.source_kind == "dynamodb" else QueuePump
            self.pumps.append(pump_cls(self.stack, mapping, self.workers.invoke, self._clients()))
        for subscription in self.stack.sns_subscriptions.values():
            self.pumps.append(SnsPump(self.stack, subscription, self.workers.invoke, self._clients()))
        self.schedules = SchedulePump(
            self.stack, self.workers.invoke, self._clients(), speedup=self.schedule_speedup
        )
        self.pumps.append(self.schedules)
        for pump in self.pumps:
            pump.start()
        stream_pumps = [p for p in self.pumps if isinstance(p, StreamPump)]
        if self.moto_mode == "thread" and stream_pumps:
            threading.Thread(target=self._janitor, args=(stream_pumps,), name="janitor", daemon=True).start()

        self.api.start()
        self.api_url = self.api.url
        log.info("api on %s", self.api_url)
        if self.want_demo:
            self._create_demo_stores()
        if self.output_path is not None:
            self.write_info(self.output_path)

    def _janitor(self, stream_pumps: list[StreamPump]) -> None:
        while not self._stopped.wait(30.0):
            try:
                prune_shard_iterators(stream_pumps)
            except Exception as exc:  # never fatal
                log.debug("shard iterator pruning failed: %s", exc)

    def _start_sandbox(self) -> None:
        if self.want_sandbox is False:
            return
        try:
            from cnova_sandbox.testing import SandboxServer
        except ImportError as exc:
            if self.want_sandbox:
                raise
            log.warning("cnova sandbox not available (%s); running without it", exc)
            return
        self._sandbox_server = SandboxServer(self.host, self.sandbox_port)
        self.sandbox = self._sandbox_server.start()
        self.sandbox_url = self.sandbox.url
        log.info("cnova sandbox on %s", self.sandbox_url)

    def _create_demo_stores(self) -> None:
        # in-process code (the demo's store admin, pynamodb) talks to the emulator: give it fake
        # credentials unless the caller configured some
        if not any(k in os.environ for k in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE")):
            os.environ["AWS_ACCESS_KEY_ID"] = FAKE_CREDENTIALS["aws_access_key_id"]
            os.environ["AWS_SECRET_ACCESS_KEY"] = FAKE_CREDENTIALS["aws_secret_access_key"]
        os.environ.setdefault("AWS_DEFAULT_REGION", self.region)
        try:
            from local_stack.demo import create_demo_stores  # written by the lead; optional
        except ImportError:
            log.warning("local_stack.demo is not there yet: no demo stores created")
            return
        try:
            assert self.stack is not None
            self.stores = list(create_demo_stores(self.stack, self.sandbox))
        except Exception as exc:
            log.warning("no demo stores created: %s: %s", type(exc).__name__, exc)

    def stop(self) -> None:
        """Stop everything that was started (idempotent)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._watcher is not None:
            self._watcher.set()
        steps: list[tuple[str, Any]] = []
        if self.api is not None:
            steps.append(("api", self.api.stop))
        for pump in self.pumps:
            pump.request_stop()  # all at once; then wait for each (an invocation may be running)
        for pump in self.pumps:
            steps.append((pump.name, pump.stop))
        if self.workers is not None:
            steps.append(("workers", self.workers.stop))
        if self._sandbox_server is not None:
            steps.append(("sandbox", self._sandbox_server.stop))
        if self._moto is not None:
            steps.append(("moto", self._moto.stop))
        for name, step in steps:
            try:
                step()
            except Exception:
                log.exception("stopping %s failed", name)
        log.info("local stack stopped")

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------------------- helpers
    def _session(self) -> Any:
        import boto3

        return boto3.session.Session(region_name=self.region, **FAKE_CREDENTIALS)

    def _clients(self) -> Any:
        """A client factory of its own (one per pump thread)."""
        return client_factory(self._session(), region=self.region, endpoint_url=self.aws_endpoint_url)

    def client(self, service: str) -> Any:
        """A boto3 client pointed at this stack's emulator (``lambda``: at the local functions)."""
        endpoint = self.api_url if service == "lambda" and self.api_url else self.aws_endpoint_url
        return self._session().client(service, region_name=self.region, endpoint_url=endpoint)

    def tick(self, schedule_id: str, input_override: Any = None) -> InvokeOutcome:
        """Fire a schedule now (synchronously; retries and DLQ as configured)."""
        assert self.schedules is not None
        return self.schedules.tick(schedule_id, input_override)

    def invoke(self, function_id: str, event: Any) -> InvokeOutcome:
        assert self.workers is not None
        return self.workers.invoke(function_id, event)

    def info(self) -> dict[str, Any]:
        return {
            "apiUrl": self.api_url,
            "sandboxUrl": self.sandbox_url,
            "awsEndpointUrl": self.aws_endpoint_url,
            "region": self.region,
            "stackName": self.stack_name,
            "stores": [{k: s.get(k) for k in ("id", "name", "token")} for s in self.stores],
            # the template's Outputs (table names, secrets prefix...): `cnova-stores --local` reads them
            "outputs": self.outputs(),
        }

    def outputs(self) -> dict[str, Any]:
        """The template's Outputs, resolved locally; execute-api URLs point at the local API."""
        if self.stack is None:
            return {}
        out: dict[str, Any] = {}
        for name, value in self.stack.outputs.items():
            if isinstance(value, str) and self.api_url:
                for api in self.stack.apis.values():
                    remote = f"https://{api.api_id}.execute-api.{self.region}.amazonaws.com"
                    value = value.replace(remote, self.api_url)
            out[name] = value
        return out

    def write_info(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.info(), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)  # readers never see a half-written file
        return path

    def remove_info(self, path: str | Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()


class MotoProcess:
    """moto server in a child process: its state cannot be reset by an in-process ``mock_aws()``
    (which shares the backends with ``ThreadedMotoServer``)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port or _free_port(host)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited (port {self.port} in use?)")
            try:
                with urllib.request.urlopen(f"http://{self.host}:{self.port}/moto-api/", timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)

    def get_host_and_port(self) -> tuple[str, int]:
        return self.host, self.port

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _check_port_free(host: str, port: int, what: str) -> None:
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise RuntimeError(f"port {port} ({what}) on {host} is in use: {exc.strerror}") from exc


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _declared_parameters(template_path: Path) -> set[str]:
    from local_stack.template import load_yaml

    return set((load_yaml(template_path).get("Parameters") or {}).keys())
