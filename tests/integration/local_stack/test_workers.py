"""Function sandboxes: Lambda's context and errors, and fresh code after an edit."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_stack.resources import deploy
from local_stack.workers import Workers
from moto import mock_aws

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.11
      CodeUri: echo/
      Handler: app.handler
      Timeout: 7
      MemorySize: 256
      Environment:
        Variables: {COLOR: blue}
  BrokenFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.11
      CodeUri: broken/
      Handler: app.handler
"""

ECHO = """\
import os


def handler(event, context):
    return {
        "version": VERSION,
        "event": event,
        "color": os.environ["COLOR"],
        "name": context.function_name,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "requestId": context.aws_request_id,
        "cwd": os.getcwd(),
    }
"""


@pytest.fixture
def workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workers]:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "echo").mkdir()
    (tmp_path / "echo" / "app.py").write_text("VERSION = 1\n" + ECHO)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "app.py").write_text("import not_a_module_anywhere\n")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        stack = deploy(tmp_path / "template.yaml", stack_name="w")
    pool = Workers(stack)
    pool.start()
    yield pool
    pool.stop()


def test_a_handler_gets_its_environment_and_a_lambda_context(workers: Workers, tmp_path: Path) -> None:
    # Given the echo function's sandbox; When invoked
    outcome = workers.invoke("EchoFunction", {"a": 1})

    # Then it ran in its code directory with the template's environment and Lambda's context
    assert outcome.ok, outcome.error
    r = outcome.result
    assert r["event"] == {"a": 1}
    assert r["color"] == "blue"
    assert r["name"] == "w-EchoFunction"
    assert r["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:w-EchoFunction"
    assert r["memory"] == "256"
    assert 0 < r["remaining"] <= 7000
    assert r["requestId"] == outcome.request_id
    assert Path(r["cwd"]) == tmp_path / "echo"


def test_an_import_error_is_reported_like_lambda(workers: Workers) -> None:
    # Given a function whose module cannot be imported; When invoked
    outcome = workers.invoke("BrokenFunction", {})

    # Then Lambda's Runtime.ImportModuleError comes back, every time
    assert not outcome.ok
    assert outcome.error_type == "Runtime.ImportModuleError"
    assert "Unable to import module 'app'" in outcome.error_message
    assert workers.invoke("BrokenFunction", {}).error_type == "Runtime.ImportModuleError"


def test_edited_code_is_picked_up_at_the_next_invocation(workers: Workers, tmp_path: Path) -> None:
    # Given a watched sandbox that ran version 1
    stop = workers.watch(interval=0.1)
    try:
        assert workers.invoke("EchoFunction", {}).result["version"] == 1

        # When the handler file is edited
        app = tmp_path / "echo" / "app.py"
        app.write_text("VERSION = 2\n" + ECHO)
        later = time.time() + 2
        os.utime(app, (later, later))

        # Then a later invocation runs the new code
        wait_for(lambda: workers.invoke("EchoFunction", {}).result["version"] == 2, what="version 2")
    finally:
        stop.set()


def test_unknown_functions_are_not_found(workers: Workers) -> None:
    # Given no such function; When invoked; Then the Lambda service's error
    outcome = workers.invoke("Nope", {})
    assert outcome.error_type == "ResourceNotFoundException"
