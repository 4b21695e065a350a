"""Fixtures of the local-stack tests: one LocalStack on free ports for the folder, built from the
small test template under ``fixtures/``, and helpers to read what the test handlers recorded."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from local_stack.stack import LocalStack

FIXTURES = Path(__file__).parent / "fixtures"
TEST_TEMPLATE = FIXTURES / "template.yaml"

T = TypeVar("T")


def wait_for(
    probe: Callable[[], T], *, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"
) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


class Recorded:
    """Reads the items the test handlers wrote to RecordsTable."""

    def __init__(self, stack: LocalStack) -> None:
        self.table = stack.client("dynamodb")
        self.name = stack.stack.table_name("RecordsTable") if stack.stack else ""

    def items(self, pk: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
        }
        while True:
            resp = self.table.query(**kwargs)
            for item in resp["Items"]:
                row = {k: next(iter(v.values())) for k, v in item.items()}
                row["event"] = json.loads(row["event"]) if "event" in row else None
                out.append(row)
            if "LastEvaluatedKey" not in resp:
                return out
            kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


@pytest.fixture(scope="package")
def local_stack() -> Iterator[LocalStack]:
    """The whole stack (moto server, workers, pumps, API) on free ports; no sandbox, no demo
    stores; schedules fire only on demand."""
    stack = LocalStack(
        TEST_TEMPLATE,
        aws_port=0,
        api_port=0,
        stack_name="lstest",
        sandbox=False,
        demo=False,
        schedule_speedup=0,
    )
    with stack:
        yield stack


@pytest.fixture(scope="package")
def recorded(local_stack: LocalStack) -> Recorded:
    return Recorded(local_stack)
