"""The recorded Cnova responses are kept in tests/fixtures/cnova-recorded so the tests stand alone;
when the team's shared folder sits beside the project, the copy must equal it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "tests" / "fixtures" / "cnova-recorded"
SHARED = ROOT.parent / "shared" / "cnova-recorded"


def test_every_recorded_response_is_in_the_copy() -> None:
    assert sorted(p.name for p in COPY.glob("*.json")) == [
        "loads-Errors.json",
        "loads-Loads.json",
        "order-Empty.json",
        "order-OrderId.json",
        "order-OrderInputSandbox.json",
        "order-Orders.json",
        "product-ProductId.json",
        "product-sellerItems.json",
    ]


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared/ folder beside the project")
def test_the_copy_equals_the_shared_recordings() -> None:
    for shared in sorted(SHARED.glob("*.json")):
        assert (COPY / shared.name).read_bytes() == shared.read_bytes(), shared.name
