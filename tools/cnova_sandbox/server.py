"""Start and stop the sandbox on a threaded werkzeug server (loopback by default)."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from cnova_sandbox.app import RAW_HEADERS, SandboxApp


class _RequestHandler(WSGIRequestHandler):
    """Keeps headers with underscores (``client_id``, ``access_token``), which werkzeug drops."""

    quiet = False

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ[RAW_HEADERS] = {key.lower(): value for key, value in self.headers.items()}
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not self.quiet:
            super().log_request(code, size)


class _QuietRequestHandler(_RequestHandler):
    quiet = True


class SandboxHTTPServer:
    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, app: SandboxApp | None = None, quiet: bool = True
    ):
        self.app = app or SandboxApp()
        handler = _QuietRequestHandler if quiet else _RequestHandler
        self._server: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=handler
        )
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        host = self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="cnova-sandbox", daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
