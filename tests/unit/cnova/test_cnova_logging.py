"""Logs carry method, path, status and duration, and never the credentials."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import requests
import responses
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from cnova_unit_support import BASE, TOKEN

from cnova_connector.cnova import CnovaClient, CnovaError
from cnova_connector.cnova._log import logger as client_logger


@pytest.fixture
def log_output(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """Everything the client's logger (and urllib3/requests below it) writes, as Powertools JSON."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(LambdaPowertoolsFormatter())
    parent = logging.getLogger("cnova-connector")
    child = logging.getLogger(client_logger.name)
    old_levels = parent.level, child.level
    parent.addHandler(handler)
    parent.setLevel(logging.DEBUG)
    child.setLevel(logging.DEBUG)  # so that a debug line leaking the token would be caught too
    caplog.set_level(logging.DEBUG)
    try:
        yield buffer
    finally:
        parent.removeHandler(handler)
        parent.setLevel(old_levels[0])
        child.setLevel(old_levels[1])


def _records(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_request_log_has_method_path_status_duration(
    http: responses.RequestsMock, client: CnovaClient, log_output: io.StringIO
) -> None:
    # Given a successful call
    http.get(f"{BASE}/orders/975101", json={"id": "975101"})
    # When made
    client.get_order("975101")
    # Then one structured line tells what happened
    (record,) = [r for r in _records(log_output) if r["message"] == "cnova request"]
    assert record["method"] == "GET"
    assert record["path"] == "/orders/975101"
    assert record["status"] == 200
    assert isinstance(record["duration_ms"], float | int)
    assert record["resource"] == "GET /orders/{orderId}"


def test_token_never_appears_in_logs(
    http: responses.RequestsMock,
    client: CnovaClient,
    log_output: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given calls that succeed, fail, time out, are retried and rate limited
    http.get(f"{BASE}/orders/1", json={"id": "1"})
    http.put(f"{BASE}/sellerItems/S/prices", status=422, json={"errors": [{"message": "no"}]})
    http.get(f"{BASE}/orders/2", body=requests.exceptions.ReadTimeout())
    http.get(f"{BASE}/orders/2", status=429, headers={"Retry-After": "1"})
    http.get(f"{BASE}/orders/2", status=503)
    http.get(f"{BASE}/orders/2", json={"id": "2"})
    # When they are made
    client.get_order("1")
    with pytest.raises(CnovaError) as caught:
        client.update_price("S", {"default": 10, "offer": 1})
    client.get_order("2")
    # Then the logs (ours, and every library's at DEBUG) and the error text never contain the token
    assert len(_records(log_output)) >= 5
    assert TOKEN not in log_output.getvalue()
    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(r.__dict__) for r in caplog.records)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
