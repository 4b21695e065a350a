"""Offset pagination over Cnova list endpoints, checking that pages tile.

Cnova pages with ``_offset``/``_limit`` and describes the result in ``metadata``: a list of
``{"key", "value"}`` pairs whose values are strings; ``totalRows`` may be the only key.
:class:`PageIterator` walks to the end and raises :class:`CnovaPaginationError` instead of returning a
silently short list when the pages do not tile:

* a page shorter than the page size (or empty) before ``totalRows`` is reached;
* ``totalRows`` shrinking between pages (an item left the list, so later items moved back by one and
  one of them would be skipped);
* more repeated items (by ``key``) than the growth of ``totalRows`` can explain (new arrivals inserted
  ahead of the cursor push seen items forward: that is harmless and repeats are dropped);
* the server answering another offset than the one asked for.

A page size the server caps below ours is detected from ``metadata.limit`` and honoured.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from .errors import CnovaPaginationError, CnovaRateLimited

__all__ = ["Page", "PageIterator", "parse_metadata"]

T = TypeVar("T")


def parse_metadata(raw: Any) -> dict[str, str]:
    """``[{"key": k, "value": v}, ...]`` → ``{k: v}`` (an object is accepted as well)."""
    if isinstance(raw, Mapping):
        return {str(k): "" if v is None else str(v) for k, v in raw.items()}
    result: dict[str, str] = {}
    if isinstance(raw, list):
        for pair in raw:
            if isinstance(pair, Mapping) and "key" in pair:
                value = pair.get("value")
                result[str(pair["key"])] = "" if value is None else str(value)
    return result


def _int_or_none(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        return None


class Page(Generic[T]):
    """One page of a list response: its items and parsed metadata."""

    def __init__(self, items: list[T], metadata: dict[str, str]) -> None:
        self.items = items
        self.metadata = metadata

    @property
    def total_rows(self) -> int | None:
        return _int_or_none(self.metadata.get("totalRows"))


class PageIterator(Generic[T]):
    """Iterate over every item of a listing, page by page.

    ``fetch(offset, limit)`` returns one :class:`Page`. Attributes updated while iterating:
    ``next_offset`` (where the next page starts: pass it as ``start_offset`` to resume),
    ``total_rows`` (last ``totalRows`` seen) and ``pages`` (pages fetched). A
    :class:`CnovaRateLimited` raised by ``fetch`` gets ``resume_offset`` set before it propagates.
    """

    def __init__(
        self,
        fetch: Callable[[int, int], Page[T]],
        *,
        page_size: int,
        start_offset: int = 0,
        key: Callable[[T], Hashable] | None = None,
        path: str = "",
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        self._fetch = fetch
        self.page_size = page_size
        self.next_offset = start_offset
        self.total_rows: int | None = None
        self.pages = 0
        self._key = key
        self._path = path
        self._started = False

    def _fail(self, message: str) -> CnovaPaginationError:
        return CnovaPaginationError(
            message,
            offset=self.next_offset,
            total_rows=self.total_rows,
            request_path=self._path,
            method="GET",
        )

    def __iter__(self) -> Iterator[T]:
        if self._started:
            raise RuntimeError("a PageIterator can be iterated once; build a new one to list again")
        self._started = True
        seen: set[Hashable] = set()
        repeats = 0
        growth = 0
        while True:
            offset = self.next_offset
            try:
                page = self._fetch(offset, self.page_size)
            except CnovaRateLimited as exc:
                exc.resume_offset = offset
                raise
            self.pages += 1
            total = page.total_rows
            answered_offset = _int_or_none(page.metadata.get("offset"))
            if answered_offset is not None and answered_offset != offset:
                raise self._fail(f"asked for offset {offset}, cnova answered offset {answered_offset}")
            if total is not None and self.total_rows is not None:
                if total < self.total_rows:
                    raise self._fail(
                        f"totalRows shrank from {self.total_rows} to {total} while paging: items moved back"
                        " and some would be skipped; list again from the start"
                    )
                growth += total - self.total_rows
            if total is not None:
                self.total_rows = total
            server_limit = _int_or_none(page.metadata.get("limit"))
            effective_limit = min(self.page_size, server_limit) if server_limit else self.page_size
            count = len(page.items)
            for item in page.items:
                if self._key is not None:
                    item_key = self._key(item)
                    if item_key in seen:
                        repeats += 1
                        continue
                    seen.add(item_key)
                yield item
            if repeats > growth:
                raise self._fail(
                    f"{repeats} item(s) came back on a later page but totalRows grew by only {growth}:"
                    " the list shifted under the cursor"
                )
            self.next_offset = offset + count
            if total is None:
                if count < effective_limit:
                    return
                continue
            if self.next_offset >= total:
                return
            if count == 0 or count < effective_limit:
                raise self._fail(
                    f"short page: {count} item(s) at offset {offset} (page size {effective_limit}) but"
                    f" totalRows is {total}"
                )

    def collect(self) -> list[T]:
        return list(self)
