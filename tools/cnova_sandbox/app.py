"""The WSGI application: Cnova API v2 under ``/api/v2`` and the control surface under ``/_sandbox``.

Every API request goes through the same pipeline: auth (401) → route (404/405) → body size (413)
→ rate limit (429, not executed) → injected faults → the handler under the state lock → log.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from cnova_sandbox.clock import fmt, parse_range
from cnova_sandbox.config import ORDER_LISTS
from cnova_sandbox.errors import ApiError, bad_request
from cnova_sandbox.faults import Fault
from cnova_sandbox.orders import TRACKING_KINDS
from cnova_sandbox.pagination import paginate
from cnova_sandbox.state import Sandbox, Seller
from cnova_sandbox.validation import SITE_NAMES, site_ok

API_PREFIX = "/api/v2"
CONTROL_PREFIX = "/_sandbox"
RAW_HEADERS = "cnova_sandbox.raw_headers"

log = logging.getLogger("cnova_sandbox")


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    sandbox: Sandbox
    seller: Seller
    now: datetime
    path: str  # relative to /api/v2 (or /_sandbox), no trailing slash
    query: list[tuple[str, str]]
    body: Any
    params: dict[str, str]

    @property
    def args(self) -> dict[str, str]:
        return {k: v for k, v in reversed(self.query)}

    def page(self, rows: list[Any], key: str, max_limit: int | None = None) -> Reply:
        limits = self.sandbox.config.limits
        page, metadata = paginate(
            rows, self.path, self.query, limits.defaultLimit, max_limit or limits.defaultMaxLimit
        )
        return Reply(200, {key: page, "metadata": metadata})

    def date_range(self, name: str) -> tuple[datetime | None, datetime | None]:
        raw = self.args.get(name)
        if raw is None:
            return None, None
        try:
            return parse_range(raw)
        except ValueError as exc:
            raise bad_request(f"{name}: {exc}", "InvalidDateRange") from exc


Handler = Callable[[Call], Reply]


def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if body is None:
        response = Response(status=status)
    else:
        response = Response(
            json.dumps(body, ensure_ascii=False),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _error_response(error: ApiError) -> Response:
    return _json_response(error.status, error.body(), error.headers)


# ====================================================================== API handlers


def _site(call: Call) -> str:
    site = call.args.get("site") or "EX"
    if not site_ok(site):
        raise bad_request(f"unknown site {site!r}", "InvalidSite")
    return site


def post_loads(call: Call) -> Reply:
    call.seller.catalog.submit_loads(call.body, call.now)
    return Reply(201)


def list_loads(call: Call) -> Reply:
    loads = call.seller.catalog.list_loads(call.args.get("status") or None, call.date_range("createdAt"))
    return call.page([load.row() for load in loads], "skus")


def get_load(call: Call) -> Reply:
    return Reply(200, call.seller.catalog.get_load(call.params["skuSellerId"]).detail())


def put_load(call: Call) -> Reply:
    call.seller.catalog.replace_load(call.params["skuSellerId"], call.body, call.now)
    return Reply(204)


def delete_load(call: Call) -> Reply:
    call.seller.catalog.cancel_load(call.params["skuSellerId"])
    return Reply(204)


def _bulk_put(kind: str) -> Handler:
    def handler(call: Call) -> Reply:
        call.seller.catalog.submit_bulk(kind, call.body, call.now)
        return Reply(204)

    return handler


def _bulk_get(kind: str) -> Handler:
    def handler(call: Call) -> Reply:
        rows = call.seller.catalog.bulk[kind]
        status = call.args.get("status")
        if status:
            rows = [r for r in rows if r["status"].lower() == status.lower()]
        return call.page(rows, "skus")

    return handler


def _tracking_load_post(kind: str) -> Handler:
    def handler(call: Call) -> Reply:
        call.seller.orders.submit_bulk(kind, call.body, call.now)
        return Reply(201)

    return handler


def _tracking_load_get(kind: str) -> Handler:
    def handler(call: Call) -> Reply:
        rows = call.seller.orders.bulk_rows(kind, call.args.get("status"), call.date_range("createdAt"))
        return call.page(rows, "trackings")

    return handler


def list_seller_items(call: Call) -> Reply:
    return call.page(call.seller.catalog.list_items(_site(call), selling=False), "sellerItems")


def list_selling(call: Call) -> Reply:
    return call.page(call.seller.catalog.list_items(_site(call), selling=True), "sellerItems")


def get_seller_item(call: Call) -> Reply:
    _site(call)
    return Reply(200, call.seller.catalog.require_item(call.params["skuSellerId"]))


def _unit_put(what: str) -> Handler:
    def handler(call: Call) -> Reply:
        catalog = call.seller.catalog
        action = {"prices": catalog.set_price, "stock": catalog.set_stock, "status": catalog.set_status}[what]
        action(call.params["skuSellerId"], call.body)
        return Reply(204)

    return handler


def _order_list(list_name: str | None) -> Handler:
    def handler(call: Call) -> Reply:
        orders = call.seller.orders.listing(list_name, call.args, call.now)
        views = [o.view(hide_shipping=o.list_status == "new") for o in orders]
        return call.page(views, "orders", call.sandbox.config.limits.ordersMaxLimit)

    return handler


def post_order(call: Call) -> Reply:
    catalog = call.seller.catalog
    order_id = call.seller.orders.create(call.body, call.now, catalog.items.get)
    return Reply(201, headers={"Location": f"{API_PREFIX}/orders/{order_id}"})


def approve_order(call: Call) -> Reply:
    call.seller.orders.approve(call.params["orderId"], call.now)
    return Reply(204)


def get_order(call: Call) -> Reply:
    return Reply(200, call.seller.orders.visible(call.params["orderId"], call.now).view(hide_shipping=False))


def get_order_item(call: Call) -> Reply:
    return Reply(200, call.seller.orders.item(call.params["orderId"], call.params["skuSellerId"], call.now))


def _tracking_post(kind: str) -> Handler:
    def handler(call: Call) -> Reply:
        call.seller.orders.post_tracking(call.params["orderId"], kind, call.body, call.now)
        return Reply(201)

    return handler


def get_sites(call: Call) -> Reply:
    sites = [
        {"id": index + 1, "name": SITE_NAMES[code], "mnemonic": code, "url": None}
        for index, code in enumerate(call.sandbox.config.sites)
    ]
    return Reply(200, {"totalRows": len(sites), "sites": sites})


def get_warehouses(call: Call) -> Reply:
    rows = [{"id": call.sandbox.config.defaultWarehouse, "sites": list(call.sandbox.config.sites)}]
    return call.page(rows, "warehouses")


API_ROUTES: list[tuple[str, str, Handler]] = [
    ("POST", "/loads/products", post_loads),
    ("GET", "/loads/products", list_loads),
    ("GET", "/loads/products/{skuSellerId}", get_load),
    ("PUT", "/loads/products/{skuSellerId}", put_load),
    ("DELETE", "/loads/products/{skuSellerId}", delete_load),
    *[("PUT", f"/loads/sellerItems/{kind}", _bulk_put(kind)) for kind in ("prices", "stocks", "status")],
    *[("GET", f"/loads/sellerItems/{kind}", _bulk_get(kind)) for kind in ("prices", "stocks", "status")],
    *[
        ("POST", f"/loads/orders/trackings/{kind}", _tracking_load_post(kind))
        for kind in ("sent", "delivered")
    ],
    *[("GET", f"/loads/orders/trackings/{kind}", _tracking_load_get(kind)) for kind in ("sent", "delivered")],
    ("GET", "/sellerItems", list_seller_items),
    ("GET", "/sellerItems/status/selling", list_selling),
    ("GET", "/sellerItems/{skuSellerId}", get_seller_item),
    ("PUT", "/sellerItems/{skuSellerId}/prices", _unit_put("prices")),
    ("PUT", "/sellerItems/{skuSellerId}/stock", _unit_put("stock")),
    ("PUT", "/sellerItems/{skuSellerId}/status", _unit_put("status")),
    ("GET", "/orders", _order_list(None)),
    *[("GET", f"/orders/status/{name}", _order_list(name)) for name in ORDER_LISTS],
    ("POST", "/orders", post_order),
    ("PUT", "/orders/status/approved/{orderId}", approve_order),
    ("GET", "/orders/{orderId}", get_order),
    ("GET", "/orders/{orderId}/items/{skuSellerId}", get_order_item),
    *[("POST", f"/orders/{{orderId}}/trackings/{kind}", _tracking_post(kind)) for kind in TRACKING_KINDS],
    ("GET", "/sites", get_sites),
    ("GET", "/warehouses", get_warehouses),
]
RULE_KEYS = {f"{method} {template}" for method, template, _ in API_ROUTES}


# ====================================================================== control handlers


def _build_map(routes: Iterable[tuple[str, str, Any]]) -> Map:
    rules = []
    for method, template, _ in routes:
        path = template.replace("{", "<").replace("}", ">")
        rules.append(Rule(path, endpoint=f"{method} {template}", methods=[method]))
    return Map(rules, strict_slashes=False)


class SandboxApp:
    """The WSGI callable. ``sandbox`` holds all state and can be inspected directly in tests."""

    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self.sandbox = sandbox or Sandbox()
        self._api_handlers = {f"{m} {t}": h for m, t, h in API_ROUTES}
        self._api_map = _build_map(API_ROUTES)
        control: list[tuple[str, str, Callable[[Request, dict[str, str]], Reply]]] = [
            ("GET", "/health", lambda r, p: Reply(200, {"status": "ok"})),
            ("POST", "/reset", self._reset),
            ("POST", "/sellers", self._register),
            ("GET", "/config", lambda r, p: Reply(200, self.sandbox.config.model_dump())),
            ("PUT", "/config", self._configure),
            ("GET", "/clock", lambda r, p: Reply(200, self._locked(self.sandbox.clock_view))),
            ("POST", "/clock", self._advance),
            ("POST", "/loads/{skuSellerId}/review", self._review),
            ("PUT", "/orders/{orderId}", self._put_raw_order),
            ("POST", "/orders/{orderId}/status", self._order_status),
            ("GET", "/state", self._state),
            ("GET", "/requests", self._requests),
        ]
        self._control_handlers = {f"{m} {t}": h for m, t, h in control}
        self._control_map = _build_map(control)

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        try:
            if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                response = self._api(request, environ)
            elif path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
                response = self._control(request)
            else:
                response = _error_response(ApiError(404, "NotFound", f"no route {path}", "NotFound"))
        except Exception:  # never a stack trace to the client
            log.exception("unhandled error on %s %s", request.method, path)
            response = _error_response(
                ApiError(500, "InternalError", "internal sandbox error", "ServerError")
            )
        return response(environ, start_response)

    def _locked(self, fn: Callable[[], Any]) -> Any:
        with self.sandbox.lock:
            return fn()

    @staticmethod
    def _credentials(request: Request) -> tuple[str | None, str | None]:
        raw = request.environ.get(RAW_HEADERS)
        if isinstance(raw, dict):
            return raw.get("client_id"), raw.get("access_token")
        return request.headers.get("client_id"), request.headers.get("access_token")

    def _authenticate(self, request: Request) -> Seller:
        client_id, token = self._credentials(request)
        with self.sandbox.lock:
            seller = self.sandbox.seller(client_id, token)
        if seller is None:
            missing = not client_id or not token
            message = (
                "client_id and access_token headers are required"
                if missing
                else "unknown client_id/access_token"
            )
            raise ApiError(401, "Unauthorized", message, "AuthenticationError")
        return seller

    @staticmethod
    def _match(api_map: Map, relative: str, method: str) -> tuple[str, dict[str, str]]:
        adapter = api_map.bind("sandbox")
        try:
            endpoint, params = adapter.match(relative or "/", method=method)
        except MethodNotAllowed as exc:
            raise ApiError(
                405, "MethodNotAllowed", f"{method} not allowed on {relative}", "NotFound"
            ) from exc
        except NotFound as exc:
            raise ApiError(404, "NotFound", f"no route {relative}", "NotFound") from exc
        return str(endpoint), {k: str(v) for k, v in params.items()}

    @staticmethod
    def _relative(path: str, prefix: str) -> str:
        relative = path[len(prefix) :]
        return relative.rstrip("/") if relative != "/" else relative

    @staticmethod
    def _parse_body(request: Request, data: bytes) -> Any:
        if request.method not in ("POST", "PUT", "PATCH") or not data.strip():
            return None
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"the body is not valid JSON: {exc}", "InvalidJson") from exc

    # ------------------------------------------------------------------ API pipeline

    def _api(self, request: Request, environ: dict[str, Any]) -> Response:
        try:
            seller = self._authenticate(request)
        except ApiError as error:
            return _error_response(error)
        relative = self._relative(request.path, API_PREFIX)
        query = list(request.args.items(multi=True))
        rule = ""
        fault = Fault.NONE
        try:
            rule, params = self._match(self._api_map, relative, request.method)
            reply = self._api_execute(request, seller, rule, relative, query, params)
        except _Faulted as faulted:
            fault, reply = faulted.fault, faulted.reply
        except ApiError as error:
            reply = Reply(error.status, error.body(), error.headers)
        with self.sandbox.lock:
            seller.requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": {k: v for k, v in reversed(query)},
                    "status": reply.status,
                    "at": fmt(self.sandbox.now()),
                    "rule": rule,
                    "fault": None if fault is Fault.NONE else fault.value,
                }
            )
        return _json_response(reply.status, reply.body, reply.headers)

    def _api_execute(
        self,
        request: Request,
        seller: Seller,
        rule: str,
        relative: str,
        query: list[tuple[str, str]],
        params: dict[str, str],
    ) -> Reply:
        config = self.sandbox.config
        data = request.get_data(cache=True)
        if len(data) > config.limits.maxBodyBytes:
            raise ApiError(
                413,
                "BodyTooLarge",
                f"the body has {len(data)} bytes; at most {config.limits.maxBodyBytes} are accepted",
                "ValidationError",
            )
        limit_rule = config.rateLimits.get(rule)
        if limit_rule is not None:
            with self.sandbox.lock:
                decision = self.sandbox.limiter.hit(
                    seller.key,
                    rule,
                    limit_rule.limit,
                    limit_rule.windowSeconds,
                    self.sandbox.now().timestamp(),
                )
            if not decision.allowed:
                raise _rate_limited(decision.limit, decision.retry_after)
        fault = self.sandbox.faults.draw(config.faults)
        if fault is Fault.TIMEOUT:
            time.sleep(config.faults.timeoutMs / 1000)
            raise _Faulted(
                fault, ApiError(504, "GatewayTimeout", "upstream timed out (injected)", "ServerError")
            )
        if fault is Fault.RATE_429:
            limit = limit_rule.limit if limit_rule is not None else 300
            raise _Faulted(fault, _rate_limited(limit, 1))
        if fault is Fault.ERROR_5XX:
            raise _Faulted(
                fault, ApiError(503, "ServiceUnavailable", "service unavailable (injected)", "ServerError")
            )
        if config.faults.latencyMs:
            time.sleep(config.faults.latencyMs / 1000)
        body = self._parse_body(request, data)
        handler = self._api_handlers[rule]
        with self.sandbox.lock:
            now = self.sandbox.now()
            seller.settle(now)
            call = Call(self.sandbox, seller, now, relative, query, body, params)
            try:
                reply = handler(call)
            except ApiError as error:
                reply = Reply(error.status, error.body(), error.headers)
        if fault is Fault.ERROR_5XX_AFTER_APPLY:
            raise _Faulted(
                fault,
                ApiError(
                    500,
                    "InternalError",
                    "internal error after applying the request (injected)",
                    "ServerError",
                ),
            )
        return reply

    # ------------------------------------------------------------------ control surface

    def _control(self, request: Request) -> Response:
        relative = self._relative(request.path, CONTROL_PREFIX)
        try:
            rule, params = self._match(self._control_map, relative, request.method)
            reply = self._control_handlers[rule](request, params)
        except ApiError as error:
            return _error_response(error)
        return _json_response(reply.status, reply.body, reply.headers)

    def _control_body(self, request: Request) -> Any:
        return self._parse_body(request, request.get_data(cache=True))

    def _seller_call(self, request: Request, fn: Callable[[Seller, datetime], Reply]) -> Reply:
        seller = self._authenticate(request)
        with self.sandbox.lock:
            now = self.sandbox.now()
            seller.settle(now)
            return fn(seller, now)

    def _reset(self, request: Request, params: dict[str, str]) -> Reply:
        self._locked(self.sandbox.reset)
        return Reply(204)

    def _register(self, request: Request, params: dict[str, str]) -> Reply:
        body = self._control_body(request)
        seller = self._locked(lambda: self.sandbox.register(body))
        return Reply(201, {"client_id": seller.client_id, "name": seller.name})

    def _configure(self, request: Request, params: dict[str, str]) -> Reply:
        body = self._control_body(request)
        patch = {} if body is None else body  # an empty PUT just returns the config
        config = self._locked(lambda: self.sandbox.update_config(patch, RULE_KEYS))
        return Reply(200, config.model_dump())

    def _advance(self, request: Request, params: dict[str, str]) -> Reply:
        body = self._control_body(request)
        seconds = body.get("advanceSeconds") if isinstance(body, dict) else None
        return Reply(200, self._locked(lambda: self.sandbox.advance(seconds)))

    def _review(self, request: Request, params: dict[str, str]) -> Reply:
        body = self._control_body(request)
        if not isinstance(body, dict):
            raise bad_request("the body must be {decision, errors}", "InvalidBody")

        def run(seller: Seller, now: datetime) -> Reply:
            load = seller.catalog.review(params["skuSellerId"], body.get("decision"), body.get("errors"))
            return Reply(200, {"skuSellerId": load.sku, "status": load.status, "errors": load.errors})

        return self._seller_call(request, run)

    def _put_raw_order(self, request: Request, params: dict[str, str]) -> Reply:
        body = self._control_body(request)

        def run(seller: Seller, now: datetime) -> Reply:
            seller.orders.put_raw(params["orderId"], body, now)
            return Reply(204)

        return self._seller_call(request, run)

    def _order_status(self, request: Request, params: dict[str, str]) -> Reply:
        body = self._control_body(request)
        status = body.get("status") if isinstance(body, dict) else None

        def run(seller: Seller, now: datetime) -> Reply:
            order = seller.orders.move(params["orderId"], status, now)
            return Reply(200, order.view(hide_shipping=False))

        return self._seller_call(request, run)

    def _state(self, request: Request, params: dict[str, str]) -> Reply:
        return self._seller_call(request, lambda seller, now: Reply(200, seller.snapshot(now)))

    def _requests(self, request: Request, params: dict[str, str]) -> Reply:
        return self._seller_call(request, lambda seller, now: Reply(200, {"requests": list(seller.requests)}))


class _Faulted(Exception):
    def __init__(self, fault: Fault, error: ApiError) -> None:
        super().__init__(fault.value)
        self.fault = fault
        self.reply = Reply(error.status, error.body(), error.headers)


def _rate_limited(limit: int, retry_after: int) -> ApiError:
    return ApiError(
        429,
        "TooManyRequests",
        f"Your requests have exceeded the maximum allowed rate ({limit})",
        "RateLimitError",
        headers={"Retry-After": str(retry_after)},
    )


def create_app() -> SandboxApp:
    return SandboxApp()
