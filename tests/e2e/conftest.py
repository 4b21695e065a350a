"""The whole local stack (moto server, Cnova sandbox, function workers, pumps, API) started once for
the end-to-end tests, exactly as ``make run`` starts it but on free ports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from local_stack.stack import LocalStack

from tests.support.aws import TEMPLATE


class Client:
    """The storefront API over HTTP, as a store's integration would call it."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.token = token

    def request(
        self, method: str, path: str, *, json_body: Any = None, data: str | None = None
    ) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        body = json.dumps(json_body) if json_body is not None else data
        return requests.request(method, self.base + path, data=body, headers=headers, timeout=30)


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("stack") / "stack.json"
    with LocalStack(TEMPLATE, aws_port=0, api_port=0, sandbox_port=0, output_path=out, stack_name="e2e"):
        info = json.loads(Path(out).read_text())
        info["path"] = str(out)
        yield info


@pytest.fixture(scope="session")
def store_a(local_stack: dict[str, Any]) -> Client:
    return Client(local_stack["apiUrl"], local_stack["stores"][0]["token"])


@pytest.fixture(scope="session")
def store_b(local_stack: dict[str, Any]) -> Client:
    return Client(local_stack["apiUrl"], local_stack["stores"][1]["token"])


@pytest.fixture(scope="session")
def anonymous(local_stack: dict[str, Any]) -> Client:
    return Client(local_stack["apiUrl"], None)
