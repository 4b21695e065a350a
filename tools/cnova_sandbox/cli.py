"""``cnova-sandbox``: serve the Cnova sandbox until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from types import FrameType

from cnova_sandbox.server import SandboxHTTPServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnova-sandbox", description="Local emulator of the Cnova API v2.")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("CNOVA_SANDBOX_PORT", "8040")),
        help="port (default 8040 or $CNOVA_SANDBOX_PORT)",
    )
    parser.add_argument(
        "--seller",
        action="append",
        default=[],
        metavar="CLIENT_ID:ACCESS_TOKEN[:NAME]",
        help="register a seller at start (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    server = SandboxHTTPServer(args.host, args.port, quiet=args.quiet)
    for spec in args.seller:
        parts = spec.split(":", 2)
        if len(parts) < 2:
            print(f"--seller needs CLIENT_ID:ACCESS_TOKEN[:NAME], got {spec!r}", file=sys.stderr)
            return 2
        name = parts[2] if len(parts) == 3 else parts[0]
        with server.app.sandbox.lock:
            server.app.sandbox.register({"client_id": parts[0], "access_token": parts[1], "name": name})

    stopping = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    print(
        f"cnova sandbox on {server.url} (API {server.url}/api/v2, control {server.url}/_sandbox)", flush=True
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
