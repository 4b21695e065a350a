"""Cold-start import cost of each handler, as a ratio to importing boto3 alone (target ≤ 2x).

Each measurement is a fresh interpreter (like a Lambda cold start) that times only the import, not the
interpreter's own start-up; the figure is the median of several runs, alternating baseline and handler
so that machine noise hits both alike.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 2.0

_BASELINE = "import time; t = time.perf_counter(); import boto3; print(time.perf_counter() - t)"
_HANDLER = (
    "import importlib.util, sys, time; sys.path.insert(0, {dir!r}); t = time.perf_counter(); "
    "spec = importlib.util.spec_from_file_location('app', {path!r}); "
    "m = importlib.util.module_from_spec(spec); "
    "spec.loader.exec_module(m); print(time.perf_counter() - t)"
)

# What Lambda itself sets at a cold start; the function's own variables come from template.yaml.
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
}


@dataclass(frozen=True)
class Handler:
    name: str
    path: Path
    environment: dict[str, str]


def handlers() -> list[Handler]:
    """Every function of template.yaml with the environment the template gives it, resolved the way
    the local stack resolves it (tables are created in an in-process emulator; nothing is called)."""
    from local_stack.resources import deploy
    from moto import mock_aws

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        stack = deploy(ROOT / "template.yaml", stack_name="bench")
    found = []
    for fn in stack.functions.values():
        path = fn.code_dir / f"{fn.module.replace('.', '/')}.py"
        found.append(Handler(fn.code_dir.name, path, dict(fn.environment)))
    return sorted(found, key=lambda h: h.name)


def _time(code: str, function_env: dict[str, str] | None = None) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_"))}
    env.update(LAMBDA_ENV)
    env.update(function_env or {})
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def run(repeats: int = 7) -> list[dict[str, object]]:
    results = []
    for handler in handlers():
        path = handler.path
        code = _HANDLER.format(dir=str(path.parent), path=str(path))
        base, mine = [], []
        for _ in range(repeats):
            base.append(_time(_BASELINE))
            mine.append(_time(code, handler.environment))
        b, m = statistics.median(base), statistics.median(mine)
        results.append(
            {
                "figure": f"cold start import: {handler.name}",
                "baseline": "import boto3",
                "baseline_ms": round(b * 1000, 1),
                "value_ms": round(m * 1000, 1),
                "ratio": round(m / b, 2),
                "target": f"<= {TARGET_RATIO}x",
                "ok": m / b <= TARGET_RATIO,
            }
        )
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
