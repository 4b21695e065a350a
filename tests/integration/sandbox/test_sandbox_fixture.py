"""The pytest fixture and the SandboxServer context manager others depend on."""

from __future__ import annotations

import requests
from cnova_sandbox.testing import SandboxHandle, SandboxServer


def test_fixture_gives_a_reset_sandbox_on_loopback(cnova_sandbox: SandboxHandle) -> None:
    # Given the per-test fixture
    # When we look at its URLs and register a seller
    cnova_sandbox.register_seller("c1", "t1", "Loja 1")
    state = cnova_sandbox.state("c1", "t1")
    # Then it serves on a loopback port with an empty state for the new seller
    assert cnova_sandbox.url.startswith("http://127.0.0.1:")
    assert cnova_sandbox.api_url == cnova_sandbox.url + "/api/v2"
    assert state == {"sellerItems": [], "loads": [], "orders": [], "trackings": []}


def test_reset_forgets_sellers_and_config(cnova_sandbox: SandboxHandle) -> None:
    # Given a seller and a changed config
    cnova_sandbox.register_seller("c1", "t1")
    cnova_sandbox.configure(reviewDelaySeconds=99)
    # When the sandbox is reset
    cnova_sandbox.reset()
    # Then the seller is unknown and the config is back to its defaults
    response = requests.get(
        cnova_sandbox.api_url + "/orders", headers={"client_id": "c1", "access_token": "t1"}
    )
    assert response.status_code == 401
    assert cnova_sandbox.configure()["reviewDelaySeconds"] == 10


def test_sandbox_server_context_manager_starts_and_stops() -> None:
    # Given a SandboxServer used outside pytest fixtures
    with SandboxServer() as handle:
        # When it runs, Then the control surface answers
        assert requests.get(handle.url + "/_sandbox/health", timeout=5).json() == {"status": "ok"}
        url = handle.url
    # And after the block the port no longer answers
    try:
        requests.get(url + "/_sandbox/health", timeout=2)
        raise AssertionError("server still answering after stop")
    except requests.ConnectionError:
        pass
