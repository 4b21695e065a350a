"""cnova-local-stack as make run starts it: comes up, writes its info file, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import TEST_TEMPLATE, wait_for

# one LocalStack per test session worker: keep this folder on one xdist worker
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]


def test_the_cli_serves_until_sigterm_and_exits_zero(tmp_path: Path) -> None:
    # Given the CLI on free ports against the test template, writing its info to a temp file
    output = tmp_path / "stack.json"
    env = {**os.environ, "AWS_PORT": "0", "API_PORT": "0"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local_stack.cli",
            "--template",
            str(TEST_TEMPLATE),
            "--no-sandbox",
            "--output",
            str(output),
            "--stack-name",
            "clitest",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # When it is up
        info = wait_for(
            lambda: output.exists() and json.loads(output.read_text()), timeout=60, what="stack.json"
        )

        # Then the info file has the URLs, and the API answers
        assert set(info) >= {"apiUrl", "sandboxUrl", "awsEndpointUrl", "stores"}
        assert info["apiUrl"].startswith("http://127.0.0.1:")
        assert info["sandboxUrl"] is None
        assert info["outputs"] == {"ItemsTableName": "clitest-items"}
        assert requests.get(info["apiUrl"] + "/health", timeout=30).status_code == 200

        # When it gets SIGTERM
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    # Then it stops everything and exits 0, removing the info file
    assert proc.returncode == 0, out
    assert "Local stack is up" in out
    assert "local stack stopped" in out
    assert not output.exists()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            requests.get(info["apiUrl"] + "/health", timeout=1)
        except requests.ConnectionError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the API still answers after the CLI exited")
