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

# What Lambda and the template give a function at a cold start (values are placeholders: nothing is called).
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_SERVICE_NAME": "cnova-connector",
    "POWERTOOLS_METRICS_NAMESPACE": "CnovaConnector",
    "STAGE": "bench",
    "CNOVA_API_URL": "https://api.cnova.com/api/v2",
    "SECRETS_PREFIX": "cnova-connector/bench",
    "STORES_TABLE": "t",
    "API_TOKENS_TABLE": "t",
    "PRODUCTS_TABLE": "t",
    "SKUS_TABLE": "t",
}


def _time(code: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_"))}
    env.update(LAMBDA_ENV)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def handlers() -> list[Path]:
    return sorted((ROOT / "functions").glob("*/app.py"))


def run(repeats: int = 7) -> list[dict[str, object]]:
    results = []
    for path in handlers():
        code = _HANDLER.format(dir=str(path.parent), path=str(path))
        base, mine = [], []
        for _ in range(repeats):
            base.append(_time(_BASELINE))
            mine.append(_time(code))
        b, m = statistics.median(base), statistics.median(mine)
        results.append(
            {
                "figure": f"cold start import: {path.parent.name}",
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
