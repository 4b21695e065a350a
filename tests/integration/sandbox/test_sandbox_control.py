"""The control surface: config, sellers, clock, state, request log, reset; concurrency; the CLI."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

import pytest
import requests
from cnova_sandbox.testing import SandboxError, SandboxHandle

from tests.integration.sandbox.sandbox_helpers import Api, create_order, make_available, product


def test_config_takes_any_subset_and_returns_the_whole(cnova_sandbox: SandboxHandle) -> None:
    # Given the default config
    defaults = cnova_sandbox.configure()
    # When two keys and one nested fault are changed
    config = cnova_sandbox.configure(reviewDelaySeconds=1, autoApprove=False, faults={"latencyMs": 5})
    # Then the whole config comes back with only those changed
    assert defaults["reviewDelaySeconds"] == 10
    assert defaults["orderIndexDelaySeconds"] == 5
    assert defaults["limits"]["ordersMaxLimit"] == 50
    assert defaults["rateLimits"]["GET /orders/status/new"] == {"limit": 2, "windowSeconds": 60}
    assert config == {
        **defaults,
        "reviewDelaySeconds": 1,
        "autoApprove": False,
        "faults": {**defaults["faults"], "latencyMs": 5},
    }


@pytest.mark.parametrize(
    "patch",
    [{"reviewDelaySeconds": -1}, {"autoApprove": "maybe"}, {"nope": 1}, {"limits": {"bulkMaxItems": 0}}],
    ids=["negative", "not-bool", "unknown", "zero-cap"],
)
def test_invalid_config_is_400(cnova_sandbox: SandboxHandle, patch: dict[str, Any]) -> None:
    # Given / When an invalid config change
    response = requests.put(cnova_sandbox.url + "/_sandbox/config", json=patch, timeout=10)
    # Then 400 with the envelope
    assert response.status_code == 400
    assert response.json()["errors"]


def test_register_seller_is_201_and_needs_both_fields(cnova_sandbox: SandboxHandle) -> None:
    # Given / When sellers are registered, one without token
    ok = requests.post(
        cnova_sandbox.url + "/_sandbox/sellers",
        json={"client_id": "a", "access_token": "b", "name": "L"},
        timeout=10,
    )
    bad = requests.post(cnova_sandbox.url + "/_sandbox/sellers", json={"client_id": "a"}, timeout=10)
    # Then 201 and 400
    assert ok.status_code == 201
    assert bad.status_code == 400


def test_seller_control_calls_need_seller_headers(cnova_sandbox: SandboxHandle) -> None:
    # Given / When state is read without headers
    response = requests.get(cnova_sandbox.url + "/_sandbox/state", timeout=10)
    # Then 401 envelope
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "Unauthorized"


def test_state_holds_everything_in_cnova_shapes(api: Api) -> None:
    # Given an available SKU, a pending load, and a shipped order
    make_available(api, "A")
    api.post("/loads/products", json=[product("B")])
    order_id = create_order(api, sku="A", quantity=1)
    api.post(
        f"/orders/{order_id}/trackings/sent", json={"items": [f"{order_id}-1"], "sellerDeliveryId": "D1"}
    )
    unindexed = api.post(
        "/orders", json={"items": [{"skuSellerId": "A", "salePrice": 1}], "customer": {"name": "Z"}}
    )
    # When the state is read
    state = api.state()
    # Then it shows the seller item, both loads, both orders (even the unindexed one) and the tracking
    assert set(state) == {"sellerItems", "loads", "orders", "trackings"}
    assert [i["skuSellerId"] for i in state["sellerItems"]] == ["A"]
    assert [(load["skuSeller"]["id"], load["status"]) for load in state["loads"]] == [
        ("A", "Available"),
        ("B", "Pending"),
    ]
    assert [o["id"] for o in state["orders"]] == [order_id, unindexed.headers["Location"].rsplit("/", 1)[1]]
    assert state["orders"][0]["status"] == "SHP"
    assert [(t["order"]["id"], t["type"], t["sellerDeliveryId"]) for t in state["trackings"]] == [
        (order_id, "sent", "D1")
    ]


def test_request_log_lists_api_calls_of_that_seller(api: Api, cnova_sandbox: SandboxHandle) -> None:
    # Given some API calls, one of them refused, and a call of another seller
    api.get("/orders/status/new", params={"_offset": 0, "_limit": 10})
    api.get("/orders/404")
    cnova_sandbox.register_seller("other", "t")
    Api(cnova_sandbox, "other", "t").get("/orders")
    # When the log is read
    log = cnova_sandbox.requests_log(api.client_id, api.token)
    # Then it lists only this seller's API requests with method, path, query, status and time
    assert [(r["method"], r["path"], r["query"], r["status"]) for r in log] == [
        ("GET", "/api/v2/orders/status/new", {"_offset": "0", "_limit": "10"}, 200),
        ("GET", "/api/v2/orders/404", {}, 404),
    ]
    assert all(r["at"] for r in log)


def test_clock_advance_moves_time_and_refuses_going_back(cnova_sandbox: SandboxHandle) -> None:
    # Given the current sandbox time
    before = requests.get(cnova_sandbox.url + "/_sandbox/clock", timeout=10).json()
    # When it is advanced one day, and then asked to go back
    after = requests.post(
        cnova_sandbox.url + "/_sandbox/clock", json={"advanceSeconds": 86400}, timeout=10
    ).json()
    back = requests.post(cnova_sandbox.url + "/_sandbox/clock", json={"advanceSeconds": -1}, timeout=10)
    # Then the offset grew by a day, and going back is refused
    assert after["offsetSeconds"] - before["offsetSeconds"] == 86400
    assert after["now"] > before["now"]
    assert back.status_code == 400


def test_review_of_unknown_or_final_load_is_refused(api: Api) -> None:
    # Given an available SKU
    make_available(api, "A")
    # When the control surface reviews it again, or reviews an unknown SKU
    # Then both are refused
    with pytest.raises(SandboxError, match="422"):
        api.sandbox.review(api.client_id, api.token, "A", "reject")
    with pytest.raises(SandboxError, match="404"):
        api.sandbox.review(api.client_id, api.token, "NOPE", "approve")


def test_concurrent_clients_lose_no_update(api: Api) -> None:
    # Given an available SKU and 8 clients posting orders and loads at once
    make_available(api, "A")
    errors: list[str] = []

    def client(n: int) -> None:
        session = Api(api.sandbox)
        for k in range(15):
            r1 = session.post(
                "/orders",
                json={
                    "items": [{"skuSellerId": "A", "salePrice": 1, "quantity": 1}],
                    "customer": {"name": f"C{n}"},
                },
            )
            r2 = session.post("/loads/products", json=[product(f"T{n}-{k}")])
            r3 = session.put("/sellerItems/A/stock", json={"quantity": n * 100 + k})
            if (r1.status_code, r2.status_code, r3.status_code) != (201, 201, 204):
                errors.append(f"{r1.status_code} {r2.status_code} {r3.status_code}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    # When they run together
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every request succeeded and every order and load is there, with distinct ids
    state = api.state()
    assert errors == []
    assert len(state["orders"]) == 120
    assert len({o["id"] for o in state["orders"]}) == 120
    assert len(state["loads"]) == 121
    assert len(api.sandbox.requests_log(api.client_id, api.token)) >= 8 * 15 * 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_cli_serves_on_loopback_until_sigterm() -> None:
    # Given the console command on a free port (from the environment) with a preset seller
    port = _free_port()
    env = {**os.environ, "CNOVA_SANDBOX_PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "cnova_sandbox.cli", "--quiet", "--seller", "cid:tok:Loja"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        # When it is called
        response = requests.get(
            f"http://127.0.0.1:{port}/api/v2/orders",
            headers={"client_id": "cid", "access_token": "tok"},
            timeout=10,
        )
        # Then it answers for the preset seller on 127.0.0.1
        assert f"http://127.0.0.1:{port}" in banner
        assert response.status_code == 200
    finally:
        # And SIGTERM stops it cleanly
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
