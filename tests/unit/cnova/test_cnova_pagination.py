"""Paging to the end, and failing loudly when pages do not tile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from cnova_unit_support import BASE

from cnova_connector.cnova import CnovaClient, CnovaPaginationError, CnovaRateLimited, RateLimit
from cnova_connector.cnova.pagination import Page, PageIterator


def _orders(ids: list[str]) -> list[dict[str, Any]]:
    return [{"id": i, "status": "PAY", "items": []} for i in ids]


def serve(rows: Callable[[], list[str]], *, extra_meta: bool = True, cap: int | None = None):
    """A fake Cnova list over a (possibly changing) list of order ids."""
    calls: list[tuple[int, int]] = []

    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        import json

        query = parse_qs(urlparse(request.url).query)
        offset, limit = int(query["_offset"][0]), int(query["_limit"][0])
        if cap:
            limit = min(limit, cap)
        calls.append((offset, limit))
        current = rows()
        page = current[offset : offset + limit]
        meta = [{"key": "totalRows", "value": str(len(current))}]
        if extra_meta:
            meta += [{"key": "offset", "value": str(offset)}, {"key": "limit", "value": str(limit)}]
        return 200, {}, json.dumps({"orders": _orders(page), "metadata": meta})

    return callback, calls


def test_pages_to_the_end_with_offset_and_limit(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given 7 approved orders at Cnova
    ids = [f"o{i}" for i in range(7)]
    callback, calls = serve(lambda: ids)
    http.add_callback(responses.GET, f"{BASE}/orders/status/approved", callback=callback)
    # When listed 3 per page
    got = [o.id for o in client.list_orders("approved", page_size=3)]
    # Then every order comes once, in order, with offsets 0, 3, 6
    assert got == ids
    assert calls == [(0, 3), (3, 3), (6, 3)]


def test_exact_multiple_stops_without_an_extra_empty_page(http: responses.RequestsMock, client: CnovaClient):
    # Given 6 orders and pages of 3
    ids = [f"o{i}" for i in range(6)]
    callback, calls = serve(lambda: ids, extra_meta=False)  # only totalRows, like the recorded empty list
    http.add_callback(responses.GET, f"{BASE}/orders/status/approved", callback=callback)
    # When listed
    got = [o.id for o in client.list_orders("approved", page_size=3)]
    # Then two calls suffice
    assert got == ids
    assert len(calls) == 2


def test_server_capping_the_page_size_is_honoured(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given a server that caps _limit at 2 and says so in metadata.limit
    ids = [f"o{i}" for i in range(5)]
    callback, calls = serve(lambda: ids, cap=2)
    http.add_callback(responses.GET, f"{BASE}/orders/status/approved", callback=callback)
    # When listed asking for 50
    got = [o.id for o in client.list_orders("approved", page_size=50)]
    # Then the iterator follows the items actually received
    assert got == ids
    assert [c[0] for c in calls] == [0, 2, 4]


def test_short_page_before_total_raises(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given a server that claims 5 rows but serves a short second page
    http.get(
        f"{BASE}/orders/status/sent",
        json={"orders": _orders(["a", "b"]), "metadata": [{"key": "totalRows", "value": "5"}]},
    )
    http.get(
        f"{BASE}/orders/status/sent",
        json={"orders": _orders(["c"]), "metadata": [{"key": "totalRows", "value": "5"}]},
    )
    # When listed 2 per page
    got: list[str] = []
    with pytest.raises(CnovaPaginationError) as caught:
        for order in client.list_orders("sent", page_size=2):
            got.append(order.id)
    # Then the error says where it stopped instead of returning 3 of 5 quietly
    assert got == ["a", "b", "c"]
    assert caught.value.offset == 3  # the rows from offset 3 on are missing
    assert caught.value.total_rows == 5
    assert "short page" in str(caught.value)


def test_total_shrinking_while_paging_raises(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given new orders leaving the list (approved elsewhere) between two pages
    state = {"ids": [f"o{i}" for i in range(6)], "served": 0}

    def rows() -> list[str]:
        state["served"] += 1
        if state["served"] == 2:
            state["ids"] = state["ids"][1:]  # o0 left: o3 moved to offset 2 and would be skipped
        return state["ids"]

    callback, _ = serve(rows)
    http.add_callback(responses.GET, f"{BASE}/orders/status/new", callback=callback)
    # When listed 2 per page
    with pytest.raises(CnovaPaginationError) as caught:
        list(client.list_orders("new", page_size=2))
    # Then it fails loudly
    assert "shrank" in str(caught.value)


def test_arrivals_appended_while_paging_are_picked_up(
    http: responses.RequestsMock, client: CnovaClient
) -> None:
    # Given a new order arriving at the end of the list between pages
    state = {"ids": ["o0", "o1", "o2", "o3"], "served": 0}

    def rows() -> list[str]:
        state["served"] += 1
        if state["served"] == 2:
            state["ids"] = [*state["ids"], "o4"]
        return state["ids"]

    callback, _ = serve(rows)
    http.add_callback(responses.GET, f"{BASE}/orders/status/new", callback=callback)
    # When listed
    got = [o.id for o in client.list_orders("new", page_size=2)]
    # Then every order, including the newcomer, comes exactly once
    assert got == ["o0", "o1", "o2", "o3", "o4"]


def test_arrivals_inserted_ahead_are_explained_and_deduplicated(
    http: responses.RequestsMock, client: CnovaClient
):
    # Given a new order inserted at the front between pages (seen items move forward by one)
    state = {"ids": ["o1", "o2", "o3", "o4"], "served": 0}

    def rows() -> list[str]:
        state["served"] += 1
        if state["served"] == 2:
            state["ids"] = ["o0", *state["ids"]]
        return state["ids"]

    callback, _ = serve(rows)
    http.add_callback(responses.GET, f"{BASE}/orders/status/new", callback=callback)
    # When listed
    got = [o.id for o in client.list_orders("new", page_size=2)]
    # Then nothing repeats (o2 came back once and was dropped); o0 came ahead of the cursor and is for
    # the next poll, which the total growth explains
    assert got == ["o1", "o2", "o3", "o4"]


def test_repeats_beyond_total_growth_raise(http: responses.RequestsMock, client: CnovaClient) -> None:
    # Given a server that serves an overlapping page without any growth
    http.get(
        f"{BASE}/orders/status/new",
        json={"orders": _orders(["a", "b"]), "metadata": [{"key": "totalRows", "value": "4"}]},
    )
    http.get(
        f"{BASE}/orders/status/new",
        json={"orders": _orders(["b", "c"]), "metadata": [{"key": "totalRows", "value": "4"}]},
    )
    # When listed
    with pytest.raises(CnovaPaginationError) as caught:
        list(client.list_orders("new", page_size=2))
    # Then the shift is reported
    assert "shifted" in str(caught.value)


def test_server_answering_another_offset_raises() -> None:
    # Given a fetch whose metadata reports a different offset than requested
    def fetch(offset: int, limit: int) -> Page[str]:
        return Page(["x"] * limit, {"totalRows": "10", "offset": "0", "limit": str(limit)})

    # When iterated past the first page
    with pytest.raises(CnovaPaginationError):
        list(PageIterator(fetch, page_size=2))


def test_without_total_rows_pages_until_a_short_page() -> None:
    # Given metadata without totalRows
    data = list(range(5))

    def fetch(offset: int, limit: int) -> Page[int]:
        return Page(data[offset : offset + limit], {})

    # Then the iterator stops at the first short page
    assert list(PageIterator(fetch, page_size=2)) == data


def test_rate_limit_mid_listing_tells_where_to_resume(http: responses.RequestsMock, make_client: Any) -> None:
    # Given the "new" list limited to 1 call per 60 s and a caller that cannot wait
    from cnova_connector.cnova import RetryPolicy

    client = make_client(
        rate_limits={"GET /orders/status/new": RateLimit(1, 60)}, retry=RetryPolicy(max_rate_limit_wait=0)
    )
    ids = [f"o{i}" for i in range(4)]
    callback, calls = serve(lambda: ids)
    http.add_callback(responses.GET, f"{BASE}/orders/status/new", callback=callback)
    # When the first listing runs out of budget after one page
    got: list[str] = []
    with pytest.raises(CnovaRateLimited) as caught:
        for order in client.list_orders("new", page_size=2):
            got.append(order.id)
    # Then it says where to resume and how long to wait; nothing extra reached Cnova
    assert got == ["o0", "o1"]
    assert caught.value.resume_offset == 2
    assert caught.value.retry_after == pytest.approx(60)
    assert len(calls) == 1
    # And resuming later from that offset completes the list
    client.limiter.clock = lambda: 10_000.0
    rest = [o.id for o in client.list_orders("new", page_size=2, start_offset=caught.value.resume_offset)]
    assert got + rest == ids
