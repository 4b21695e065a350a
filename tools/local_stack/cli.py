"""``cnova-local-stack`` (what ``make run`` runs): the whole stack on loopback until Ctrl-C/SIGTERM."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from local_stack.stack import DEFAULT_API_PORT, DEFAULT_AWS_PORT, DEFAULT_SANDBOX_PORT, LocalStack
from local_stack.template import TemplateError


def _find_repo_root(start: Path) -> Path:
    for candidate in [start, *start.parents]:
        if (candidate / "template.yaml").exists() and (candidate / "pyproject.toml").exists():
            return candidate
    return start


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    root = _find_repo_root(Path.cwd())
    parser = argparse.ArgumentParser(
        prog="cnova-local-stack",
        description="Run template.yaml locally: moto server, Cnova sandbox, event pumps and the API.",
    )
    parser.add_argument(
        "--template", default=str(root / "template.yaml"), help="SAM template (default: %(default)s)"
    )
    parser.add_argument(
        "--output",
        default=os.environ.get("LOCAL_STACK_OUTPUT", str(root / ".local" / "stack.json")),
        help="where to write URLs and demo store tokens (env LOCAL_STACK_OUTPUT; default: %(default)s)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default: %(default)s)")
    parser.add_argument(
        "--aws-port", type=int, default=None, help=f"moto server port (env AWS_PORT, {DEFAULT_AWS_PORT})"
    )
    parser.add_argument(
        "--api-port", type=int, default=None, help=f"API port (env API_PORT, {DEFAULT_API_PORT})"
    )
    parser.add_argument(
        "--sandbox-port",
        type=int,
        default=None,
        help=f"Cnova sandbox port (env CNOVA_SANDBOX_PORT, {DEFAULT_SANDBOX_PORT})",
    )
    parser.add_argument("--stack-name", default=os.environ.get("LOCAL_STACK_NAME", "local"))
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    parser.add_argument(
        "--parameter-overrides",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter overrides (CnovaApiUrl defaults to the local sandbox)",
    )
    parser.add_argument("--no-sandbox", action="store_true", help="do not start the Cnova sandbox")
    parser.add_argument("--no-demo", action="store_true", help="do not create the demo stores")
    parser.add_argument(
        "--no-reload", action="store_true", help="do not restart functions when their code (or src/) changes"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)-5s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    overrides = {}
    for item in args.parameter_overrides:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"bad --parameter-overrides entry {item!r} (want KEY=VALUE)", file=sys.stderr)
            return 2
        overrides[key] = value

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid> dumps every thread's stack
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    stack = LocalStack(
        args.template,
        host=args.host,
        aws_port=args.aws_port,
        api_port=args.api_port,
        sandbox_port=args.sandbox_port,
        stack_name=args.stack_name,
        region=args.region,
        parameter_overrides=overrides,
        sandbox=False if args.no_sandbox else None,
        demo=not args.no_demo,
        moto_mode="thread",
        reload=not args.no_reload,
    )
    output = Path(args.output)
    try:
        stack.start()
        if stop.is_set():
            return 0
        stack.write_info(output)
        _print_banner(stack, output)
        while not stop.wait(0.5):
            pass
        print("stopping...", flush=True)
        return 0
    except (RuntimeError, OSError, TemplateError) as exc:  # expected: ports, templates
        logging.getLogger("local_stack").error("local stack failed: %s", exc)
        return 1
    except Exception as exc:
        logging.getLogger("local_stack").exception("local stack failed: %s", exc)
        return 1
    finally:
        stack.stop()
        stack.remove_info(output)


def _print_banner(stack: LocalStack, output: Path) -> None:
    lines = [
        "",
        "Local stack is up (Ctrl-C to stop)",
        f"  API             {stack.api_url}",
        f"  Cnova sandbox   {stack.sandbox_url or '(not running)'}",
        f"  AWS endpoint    {stack.aws_endpoint_url}   (AWS_ENDPOINT_URL for the aws CLI / boto3)",
        f"  schedule tick   curl -X POST {stack.api_url}/_local/schedules/<LogicalId>/tick",
    ]
    if stack.stores:
        lines.append("  demo stores:")
        for s in stack.stores:
            lines.append(f"    {s.get('name')} ({s.get('id')})  Authorization: Bearer {s.get('token')}")
    else:
        lines.append("  demo stores: none created")
    lines.append(f"  written to      {output}")
    print("\n".join(lines) + "\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
