"""The Cnova API v2 client: one method per endpoint the connector uses, returning typed models.

>>> client = CnovaClient(SANDBOX_LOCAL_URL, CnovaCredentials("my-app", "my-store-token"))
>>> for order in client.list_orders("approved", since=yesterday):
...     print(order.id, order.lines())

See ``docs/cnova-client.md`` for limits, retries and errors.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from .errors import CnovaProtocolError
from .http import (
    PRODUCTION_URL,
    CnovaCredentials,
    HttpResult,
    RetryMode,
    RetryPolicy,
    Timeouts,
    Transport,
)
from .models import (
    ORDER_LIST_DATE_FILTER,
    BulkPriceItem,
    BulkPriceResult,
    BulkStatusItem,
    BulkStatusResult,
    BulkStockItem,
    BulkStockResult,
    BulkTracking,
    BulkTrackingResult,
    CancelTracking,
    LoadedProduct,
    NewTracking,
    Order,
    OrderItem,
    OrderListStatus,
    PriceUpdate,
    Product,
    ProductLoadStatus,
    SandboxOrder,
    SellerItem,
    StatusUpdate,
    StockUpdate,
)
from .pagination import Page, PageIterator, parse_metadata
from .ratelimit import RateLimit, RateLimiter, shared_limiter, store_key

__all__ = ["CnovaClient", "CnovaProtocolError", "date_range"]

M = TypeVar("M", bound=BaseModel)

TrackingKind = Literal["sent", "delivered"]


def date_range(start: datetime | None = None, end: datetime | None = None) -> str | None:
    """Cnova's date-range filter: ``start,end`` with ``*`` for an open side (None if both open)."""
    if start is None and end is None:
        return None

    def fmt(value: datetime | None) -> str:
        return "*" if value is None else value.isoformat(timespec="milliseconds")

    return f"{fmt(start)},{fmt(end)}"


def _wire_list(items: Iterable[BaseModel | Mapping[str, Any]], model: type[M]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        obj = item if isinstance(item, model) else model.model_validate(item)
        out.append(obj.model_dump(mode="json", by_alias=True, exclude_none=True))
    return out


def _wire(item: BaseModel | Mapping[str, Any], model: type[M]) -> dict[str, Any]:
    return _wire_list([item], model)[0]


class CnovaClient:
    """Client of one store (one ``client_id``/``access_token`` pair) at one Cnova base URL.

    Parameters
    ----------
    base_url:
        ``https://api.cnova.com/api/v2`` (default), ``https://sandbox.cnova.com/api/v2`` or the local
        sandbox ``http://127.0.0.1:8040/api/v2``.
    credentials:
        ``CnovaCredentials(client_id, access_token)``.
    timeouts, retry:
        :class:`Timeouts` (connect/read seconds) and :class:`RetryPolicy`.
    limiter:
        A :class:`RateLimiter`. By default the process-wide limiter of this store and base URL, created
        on first use; ``rate_limits`` are merged over the defaults (and into an existing shared limiter
        of the store: the last explicit configuration wins). Ignored when ``limiter`` is given.
    remaining_time:
        Optional callable giving the seconds left to the caller (e.g.
        ``lambda: context.get_remaining_time_in_millis() / 1000``): the client never starts a wait that
        would outlast it and raises :class:`CnovaRateLimited` / :class:`CnovaUnavailable` instead.
    """

    def __init__(
        self,
        base_url: str = PRODUCTION_URL,
        credentials: CnovaCredentials | None = None,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        rate_limits: Mapping[str, RateLimit | None] | None = None,
        session: requests.Session | None = None,
        remaining_time: Callable[[], float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if credentials is None:
            raise ValueError("credentials are required: CnovaCredentials(client_id, access_token)")
        if limiter is None:
            key = f"{base_url.rstrip('/')}|{store_key(credentials.client_id, credentials.access_token)}"
            limiter = shared_limiter(
                key, lambda: RateLimiter(rate_limits, clock=clock, sleep=sleep), limits=rate_limits
            )
        self.limiter = limiter
        self.transport = Transport(
            base_url,
            credentials,
            limiter=limiter,
            timeouts=timeouts,
            retry=retry,
            session=session,
            clock=clock,
            wall_clock=wall_clock,
            sleep=sleep,
            rng=rng,
            remaining_time=remaining_time,
        )

    def close(self) -> None:
        """Close the HTTP session (connections are otherwise kept for the next call)."""
        self.transport.session.close()

    def __enter__(self) -> CnovaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CnovaClient({self.transport.base_url!r}, client_id={self.transport.credentials.client_id!r})"

    # -- plumbing ----------------------------------------------------------------------------------

    def _parse(self, model: type[M], data: Any, path: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise CnovaProtocolError(
                f"unexpected {model.__name__} from cnova: {exc.error_count()} validation error(s)",
                request_path=path,
                method="GET",
            ) from exc

    def _get_one(self, model: type[M], template: str, path_params: Mapping[str, Any], **params: Any) -> M:
        result = self.transport.request("GET", template, path_params, params=params)
        return self._parse(model, result.data, self.transport.build_path(template, path_params))

    def _list(
        self,
        model: type[M],
        template: str,
        array_key: str,
        *,
        params: Mapping[str, Any] | None = None,
        page_size: int,
        start_offset: int = 0,
        key: Callable[[M], Hashable] | None = None,
        path_params: Mapping[str, Any] | None = None,
    ) -> PageIterator[M]:
        path = self.transport.build_path(template, path_params)

        def fetch(offset: int, limit: int) -> Page[M]:
            query = {**(params or {}), "_offset": offset, "_limit": limit}
            result = self.transport.request("GET", template, path_params, params=query)
            data = result.data if isinstance(result.data, dict) else {}
            raw_items = data.get(array_key) or []
            if not isinstance(raw_items, list):
                raise CnovaProtocolError(f"{array_key!r} is not a list", request_path=path, method="GET")
            items = [self._parse(model, raw, path) for raw in raw_items]
            return Page(items, parse_metadata(data.get("metadata")))

        return PageIterator(fetch, page_size=page_size, start_offset=start_offset, key=key, path=path)

    def _send(
        self,
        method: str,
        template: str,
        path_params: Mapping[str, Any] | None = None,
        *,
        body: Any = None,
        mode: RetryMode = RetryMode.IDEMPOTENT,
        verify: Callable[[], bool] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> HttpResult:
        return self.transport.request(
            method, template, path_params, body=body, mode=mode, verify=verify, params=params
        )

    # -- product loads -----------------------------------------------------------------------------

    def post_product_load(self, products: Sequence[Product | Mapping[str, Any]]) -> None:
        """``POST /loads/products`` (201): send a product load, one :class:`Product` per SKU.

        Retried like an idempotent call: re-sending a SKU before approval replaces the earlier
        submission ("the last load wins", cnova-api.md §4.1), so a repeat after an ambiguous failure is
        harmless.
        """
        if not products:
            raise ValueError("a product load needs at least one product")
        self._send("POST", "/loads/products", body=_wire_list(products, Product), mode=RetryMode.IDEMPOTENT)

    def list_product_loads(
        self,
        *,
        status: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        page_size: int = 100,
        start_offset: int = 0,
    ) -> PageIterator[ProductLoadStatus]:
        """``GET /loads/products``: review status per loaded SKU (``Pending``/``Available``/``Error``/...)."""
        params = {"status": status, "createdAt": date_range(created_from, created_to)}
        return self._list(
            ProductLoadStatus,
            "/loads/products",
            "skus",
            params=params,
            page_size=page_size,
            start_offset=start_offset,
            key=lambda s: s.sku_seller_id,
        )

    def get_product_load(self, sku_seller_id: str) -> LoadedProduct:
        """``GET /loads/products/{skuSellerId}``: the loaded SKU with its review ``errors``."""
        return self._get_one(LoadedProduct, "/loads/products/{skuSellerId}", {"skuSellerId": sku_seller_id})

    def update_product_load(self, sku_seller_id: str, product: Product | Mapping[str, Any]) -> None:
        """``PUT /loads/products/{skuSellerId}`` (204): fix a loaded SKU before it becomes Available."""
        self._send(
            "PUT",
            "/loads/products/{skuSellerId}",
            {"skuSellerId": sku_seller_id},
            body=_wire(product, Product),
        )

    def delete_product_load(self, sku_seller_id: str) -> None:
        """SANDBOX ONLY. ``DELETE /loads/products/{skuSellerId}`` (204): cancel a Pending/Error load item."""
        self._send("DELETE", "/loads/products/{skuSellerId}", {"skuSellerId": sku_seller_id})

    # -- seller items ------------------------------------------------------------------------------

    def list_seller_items(
        self, *, site: str | None = None, page_size: int = 100, start_offset: int = 0
    ) -> PageIterator[SellerItem]:
        """``GET /sellerItems``: every item of the seller (limited to 3 calls a minute: use sparingly)."""
        return self._list(
            SellerItem,
            "/sellerItems",
            "sellerItems",
            params={"site": site},
            page_size=page_size,
            start_offset=start_offset,
            key=lambda i: i.sku_seller_id,
        )

    def list_selling_items(
        self, *, site: str | None = None, page_size: int = 100, start_offset: int = 0
    ) -> PageIterator[SellerItem]:
        """``GET /sellerItems/status/selling``: only items on sale."""
        return self._list(
            SellerItem,
            "/sellerItems/status/selling",
            "sellerItems",
            params={"site": site},
            page_size=page_size,
            start_offset=start_offset,
            key=lambda i: i.sku_seller_id,
        )

    def get_seller_item(self, sku_seller_id: str, *, site: str | None = None) -> SellerItem:
        """``GET /sellerItems/{skuSellerId}``."""
        return self._get_one(
            SellerItem, "/sellerItems/{skuSellerId}", {"skuSellerId": sku_seller_id}, site=site
        )

    def update_price(self, sku_seller_id: str, price: PriceUpdate | Mapping[str, Any]) -> None:
        """``PUT /sellerItems/{skuSellerId}/prices`` (204). A drop of the offer price by more than 50%
        raises :class:`CnovaValidationError` (422)."""
        self._send(
            "PUT",
            "/sellerItems/{skuSellerId}/prices",
            {"skuSellerId": sku_seller_id},
            body=_wire(price, PriceUpdate),
        )

    def update_stock(self, sku_seller_id: str, stock: StockUpdate | Mapping[str, Any]) -> None:
        """``PUT /sellerItems/{skuSellerId}/stock`` (204). Quantity 0 takes the item off sale."""
        self._send(
            "PUT",
            "/sellerItems/{skuSellerId}/stock",
            {"skuSellerId": sku_seller_id},
            body=_wire(stock, StockUpdate),
        )

    def update_status(self, sku_seller_id: str, status: StatusUpdate | Mapping[str, Any]) -> None:
        """``PUT /sellerItems/{skuSellerId}/status`` (204): activate or deactivate on a site."""
        self._send(
            "PUT",
            "/sellerItems/{skuSellerId}/status",
            {"skuSellerId": sku_seller_id},
            body=_wire(status, StatusUpdate),
        )

    def bulk_update_prices(self, items: Sequence[BulkPriceItem | Mapping[str, Any]]) -> None:
        """``PUT /loads/sellerItems/prices`` (204, asynchronous; see :meth:`list_bulk_price_results`)."""
        self._bulk_put("/loads/sellerItems/prices", _wire_list(items, BulkPriceItem))

    def bulk_update_stocks(self, items: Sequence[BulkStockItem | Mapping[str, Any]]) -> None:
        """``PUT /loads/sellerItems/stocks`` (204, asynchronous)."""
        self._bulk_put("/loads/sellerItems/stocks", _wire_list(items, BulkStockItem))

    def bulk_update_status(self, items: Sequence[BulkStatusItem | Mapping[str, Any]]) -> None:
        """``PUT /loads/sellerItems/status`` (204, asynchronous)."""
        self._bulk_put("/loads/sellerItems/status", _wire_list(items, BulkStatusItem))

    def _bulk_put(self, template: str, body: list[dict[str, Any]]) -> None:
        if not body:
            raise ValueError("a bulk update needs at least one item")
        self._send("PUT", template, body=body)

    def list_bulk_price_results(
        self, *, page_size: int = 100, start_offset: int = 0
    ) -> PageIterator[BulkPriceResult]:
        """``GET /loads/sellerItems/prices``."""
        return self._list(
            BulkPriceResult,
            "/loads/sellerItems/prices",
            "skus",
            page_size=page_size,
            start_offset=start_offset,
        )

    def list_bulk_stock_results(
        self, *, page_size: int = 100, start_offset: int = 0
    ) -> PageIterator[BulkStockResult]:
        """``GET /loads/sellerItems/stocks``."""
        return self._list(
            BulkStockResult,
            "/loads/sellerItems/stocks",
            "skus",
            page_size=page_size,
            start_offset=start_offset,
        )

    def list_bulk_status_results(
        self, *, page_size: int = 100, start_offset: int = 0
    ) -> PageIterator[BulkStatusResult]:
        """``GET /loads/sellerItems/status``."""
        return self._list(
            BulkStatusResult,
            "/loads/sellerItems/status",
            "skus",
            page_size=page_size,
            start_offset=start_offset,
        )

    # -- orders ------------------------------------------------------------------------------------

    def list_orders(
        self,
        status: OrderListStatus | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        customer_name: str | None = None,
        customer_document: str | None = None,
        page_size: int = 50,
        start_offset: int = 0,
    ) -> PageIterator[Order]:
        """``GET /orders/status/{status}`` (or ``GET /orders`` when ``status`` is None).

        ``since``/``until`` fill the list's own date filter (``purchasedAt`` for new, ``approvedAt`` for
        approved, ``sentAt`` for sent/partiallySent/partiallyDelivered, ``deliveredAt``, ``canceledAt``).
        Each list is limited to 2 calls a minute: a long listing waits (within the retry policy's
        ``max_rate_limit_wait``) or raises :class:`CnovaRateLimited` with ``resume_offset``.
        """
        params: dict[str, Any] = {
            "customer.name": customer_name,
            "customer.documentNumber": customer_document,
        }
        if status is None:
            if since or until:
                raise ValueError("GET /orders takes no date filter; pass a status")
            template = "/orders"
        else:
            if status not in ORDER_LIST_DATE_FILTER:
                raise ValueError(f"unknown order list status {status!r}")
            template = f"/orders/status/{status}"
            params[ORDER_LIST_DATE_FILTER[status]] = date_range(since, until)
        return self._list(
            Order,
            template,
            "orders",
            params=params,
            page_size=page_size,
            start_offset=start_offset,
            key=lambda o: o.id,
        )

    def get_order(self, order_id: str) -> Order:
        """``GET /orders/{orderId}``."""
        return self._get_one(Order, "/orders/{orderId}", {"orderId": order_id})

    def get_order_item(self, order_id: str, sku_seller_id: str) -> OrderItem:
        """``GET /orders/{orderId}/items/{skuSellerId}``."""
        return self._get_one(
            OrderItem,
            "/orders/{orderId}/items/{skuSellerId}",
            {"orderId": order_id, "skuSellerId": sku_seller_id},
        )

    # -- trackings ---------------------------------------------------------------------------------

    def post_tracking(
        self, order_id: str, kind: TrackingKind, tracking: NewTracking | Mapping[str, Any]
    ) -> bool:
        """``POST /orders/{orderId}/trackings/{sent|delivered}`` (201).

        Not blindly retried: after an ambiguous failure (timeout, dropped connection, 5xx) the client
        GETs the order and looks for a tracking with the same ``sellerDeliveryId`` covering the same
        items at the same ``occurredAt``; it repeats the POST only if none is there. Returns True when
        the POST went through, or was found applied after such a failure. Without a
        ``sellerDeliveryId`` nothing can be verified and an ambiguous failure raises
        :class:`CnovaUnavailable` with ``ambiguous=True``.
        """
        if kind not in ("sent", "delivered"):
            raise ValueError("kind must be 'sent' or 'delivered' (use post_tracking_cancel for cancel)")
        body = tracking if isinstance(tracking, NewTracking) else NewTracking.model_validate(tracking)

        def verify() -> bool:
            assert body.seller_delivery_id is not None
            order = self.get_order(order_id)
            return order.find_tracking(body.seller_delivery_id, body.items, body.occurred_at) is not None

        can_verify = body.seller_delivery_id is not None
        self._send(
            "POST",
            f"/orders/{{orderId}}/trackings/{kind}",
            {"orderId": order_id},
            body=body.to_wire(),
            mode=RetryMode.VERIFY if can_verify else RetryMode.NEVER,
            verify=verify if can_verify else None,
        )
        return True

    def post_tracking_sent(self, order_id: str, tracking: NewTracking | Mapping[str, Any]) -> bool:
        return self.post_tracking(order_id, "sent", tracking)

    def post_tracking_delivered(self, order_id: str, tracking: NewTracking | Mapping[str, Any]) -> bool:
        return self.post_tracking(order_id, "delivered", tracking)

    def post_tracking_cancel(self, order_id: str, cancel: CancelTracking | Mapping[str, Any]) -> None:
        """``POST /orders/{orderId}/trackings/cancel`` (201).

        Not repeated after an ambiguous failure (nothing in the order identifies a cancel tracking
        reliably): :class:`CnovaUnavailable` with ``ambiguous=True`` tells the caller to check the
        order before trying again.
        """
        self._send(
            "POST",
            "/orders/{orderId}/trackings/cancel",
            {"orderId": order_id},
            body=_wire(cancel, CancelTracking),
            mode=RetryMode.NEVER,
        )

    def post_bulk_trackings(
        self, kind: TrackingKind, trackings: Sequence[BulkTracking | Mapping[str, Any]]
    ) -> None:
        """``POST /loads/orders/trackings/{sent|delivered}`` (201, asynchronous).

        Not repeated after an ambiguous failure: the load is processed later, so an order not showing
        the tracking yet proves nothing; :class:`CnovaUnavailable` with ``ambiguous=True`` is raised and
        the caller checks the orders (``Order.find_tracking``) before sending again.
        """
        if kind not in ("sent", "delivered"):
            raise ValueError("kind must be 'sent' or 'delivered'")
        if not trackings:
            raise ValueError("a bulk tracking load needs at least one tracking")
        self._send(
            "POST",
            f"/loads/orders/trackings/{kind}",
            body={"trackings": _wire_list(trackings, BulkTracking)},
            mode=RetryMode.NEVER,
        )

    def list_bulk_tracking_results(
        self,
        kind: TrackingKind,
        *,
        status: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        page_size: int = 100,
        start_offset: int = 0,
    ) -> PageIterator[BulkTrackingResult]:
        """``GET /loads/orders/trackings/{sent|delivered}``: results of bulk tracking loads."""
        if kind not in ("sent", "delivered"):
            raise ValueError("kind must be 'sent' or 'delivered'")
        return self._list(
            BulkTrackingResult,
            f"/loads/orders/trackings/{kind}",
            "trackings",
            params={"status": status, "createdAt": date_range(created_from, created_to)},
            page_size=page_size,
            start_offset=start_offset,
        )

    # -- sandbox-only ------------------------------------------------------------------------------

    def sandbox_create_order(self, order: SandboxOrder | Mapping[str, Any]) -> str | None:
        """SANDBOX ONLY. ``POST /orders`` (201): create a test order.

        Never repeated after an ambiguous failure: a repeat would create a second order. Cnova answers
        201 without a body; the order id is returned when the answer carries a ``Location`` header
        ending in ``/orders/{id}`` (the local sandbox does), else None (find it in the "new" list).
        """
        result = self._send("POST", "/orders", body=_wire(order, SandboxOrder), mode=RetryMode.NEVER)
        location = result.headers.get("Location") or ""
        head, _, tail = location.rstrip("/").rpartition("/")
        return tail if tail and head.endswith("/orders") else None

    def sandbox_approve_order(self, order_id: str) -> None:
        """SANDBOX ONLY. ``PUT /orders/status/approved/{orderId}`` (204): approve a test order."""
        self._send("PUT", "/orders/status/approved/{orderId}", {"orderId": order_id})
