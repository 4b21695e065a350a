"""Product loads, seller items and the asynchronous bulk updates of prices, stocks and status."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from cnova_sandbox.clock import fmt, in_range
from cnova_sandbox.env import Env, Scheduler
from cnova_sandbox.errors import ApiError, bad_request, error_item, not_found, unprocessable
from cnova_sandbox.validation import (
    SITE_NAMES,
    TEST_CATEGORY,
    as_json_number,
    category_path,
    money_ok,
    normalise_path,
    site_ok,
    to_decimal,
    to_int,
    validate_product,
)

PENDING, AVAILABLE, ERROR, CANCELED = "Pending", "Available", "Error", "Canceled"
LOAD_STATUSES = (PENDING, AVAILABLE, ERROR, CANCELED)
BULK_PENDING, BULK_SUCCESS, BULK_ERROR = "Pending", "Success", "Error"
PRICE_DROP_MESSAGE = "Alteração não permitida, variação de preço muito grande."
PRODUCT_FIELDS = (
    "skuId",
    "skuSellerId",
    "productSellerId",
    "title",
    "description",
    "brand",
    "gtin",
    "categories",
    "images",
    "videos",
    "price",
    "stock",
    "dimensions",
    "giftWrap",
    "attributes",
)
_SITE_HOSTS = {"EX": "extra.com.br", "PF": "pontofrio.com.br", "CB": "casasbahia.com.br"}


@dataclass
class Load:
    sku: str
    product: dict[str, Any]
    status: str
    created_at: datetime
    version: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return {
            "skuSeller": {"id": self.sku, "href": f"/loads/products/{self.sku}"},
            "status": self.status,
            "createdAt": fmt(self.created_at),
        }

    def detail(self) -> dict[str, Any]:
        body = {name: self.product.get(name) for name in PRODUCT_FIELDS}
        body["skuSellerId"] = self.sku
        body["errors"] = list(self.errors)
        return body


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "produto"


def _require_list_body(body: Any, what: str, max_items: int) -> list[Any]:
    if not isinstance(body, list):
        raise bad_request(f"the body must be a JSON array of {what}", "InvalidBody")
    if len(body) > max_items:
        raise ApiError(
            413,
            "TooManyItems",
            f"at most {max_items} items per request (got {len(body)})",
            "ValidationError",
        )
    return body


def _sku_of(entry: Any, index: int) -> str:
    if not isinstance(entry, dict):
        raise bad_request(f"item {index} must be a JSON object", "InvalidBody")
    sku = entry.get("skuSellerId")
    if isinstance(sku, int) and not isinstance(sku, bool):
        sku = str(sku)
    if not isinstance(sku, str) or not sku.strip():
        raise bad_request(f"item {index} has no skuSellerId", "SkuSellerIdRequired")
    return sku


class Catalog:
    def __init__(self, env: Env, scheduler: Scheduler) -> None:
        self.env = env
        self.scheduler = scheduler
        self.loads: dict[str, Load] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.bulk: dict[str, list[dict[str, Any]]] = {"prices": [], "stocks": [], "status": []}
        self._versions = 0

    # ------------------------------------------------------------ loads

    def submit_loads(self, body: Any, now: datetime) -> None:
        products = _require_list_body(body, "products", self.env.config.limits.bulkMaxItems)
        if not products:
            raise bad_request("the load has no products", "EmptyLoad")
        by_sku: dict[str, dict[str, Any]] = {}
        for index, product in enumerate(products):
            by_sku[_sku_of(product, index)] = product
        frozen = [sku for sku in by_sku if sku in self.loads and self.loads[sku].status == AVAILABLE]
        if frozen:
            items = [
                error_item(
                    "ProductAlreadyAvailable",
                    422,
                    f"O SKU {sku} já está disponível; a ficha não pode ser alterada pela API.",
                    "BusinessError",
                    sku,
                )
                for sku in frozen
            ]
            raise ApiError(422, "ProductAlreadyAvailable", "", items=items)
        for sku, product in by_sku.items():
            self._start_load(sku, {**product, "skuSellerId": sku}, now)

    def _start_load(self, sku: str, product: dict[str, Any], now: datetime) -> None:
        self._versions += 1
        load = Load(sku, product, PENDING, now, self._versions)
        self.loads[sku] = load
        version = load.version
        self.scheduler.after(
            now, self.env.config.reviewDelaySeconds, lambda due: self._auto_review(sku, version)
        )

    def _auto_review(self, sku: str, version: int) -> None:
        load = self.loads.get(sku)
        config = self.env.config
        if load is None or load.version != version or load.status != PENDING or not config.autoApprove:
            return
        path = category_path(load.product.get("categories"))
        if config.onlyTestCategoryApproved and (path is None or normalise_path(path) != TEST_CATEGORY):
            return  # the real sandbox leaves every other category Pending forever
        errors = validate_product(load.product, config.limits.titleMaxLength)
        if errors:
            load.status, load.errors = ERROR, errors
        else:
            self._make_available(load)

    def review(self, sku: str, decision: Any, errors: Any) -> Load:
        load = self.loads.get(sku)
        if load is None:
            raise not_found(f"SKU {sku} has no load", "LoadNotFound", sku)
        if load.status not in (PENDING, ERROR):
            raise unprocessable(
                f"SKU {sku} is {load.status}; only Pending or Error can be reviewed", "InvalidLoadStatus", sku
            )
        if decision == "approve":
            self._make_available(load)
        elif decision == "reject":
            given = (
                errors
                if isinstance(errors, list) and errors
                else [{"code": "Rejected", "message": "Produto reprovado na revisão."}]
            )
            load.status = ERROR
            load.errors = [
                error_item(
                    str(e.get("code", "Rejected")) if isinstance(e, dict) else "Rejected",
                    422,
                    str(e.get("message", "")) if isinstance(e, dict) else str(e),
                    "ReviewError",
                    sku,
                )
                for e in given
            ]
        else:
            raise bad_request("decision must be 'approve' or 'reject'", "InvalidDecision")
        return load

    def get_load(self, sku: str) -> Load:
        load = self.loads.get(sku)
        if load is None:
            raise not_found(f"SKU {sku} has no load", "LoadNotFound", sku)
        return load

    def list_loads(self, status: str | None, created: tuple[datetime | None, datetime | None]) -> list[Load]:
        if status is not None:
            wanted = {s.lower(): s for s in LOAD_STATUSES}.get(status.lower())
            if wanted is None:
                raise bad_request(f"status must be one of {', '.join(LOAD_STATUSES)}", "InvalidStatus")
            status = wanted
        rows = [
            load
            for load in self.loads.values()
            if (status is None or load.status == status) and in_range(load.created_at, created)
        ]
        return sorted(rows, key=lambda load: load.sku)

    def replace_load(self, sku: str, body: Any, now: datetime) -> None:
        load = self.get_load(sku)
        if not isinstance(body, dict):
            raise bad_request("the body must be a Product JSON object", "InvalidBody")
        body_sku = body.get("skuSellerId")
        if body_sku is not None and str(body_sku) != sku:
            raise bad_request("skuSellerId in the body differs from the path", "SkuSellerIdMismatch", sku)
        if load.status in (AVAILABLE, CANCELED):
            raise unprocessable(
                f"O SKU {sku} está {load.status}; a ficha só pode ser corrigida antes de ficar disponível.",
                "ProductAlreadyAvailable" if load.status == AVAILABLE else "LoadCanceled",
                sku,
            )
        self._start_load(sku, {**body, "skuSellerId": sku}, now)

    def cancel_load(self, sku: str) -> None:
        load = self.get_load(sku)
        if load.status == AVAILABLE:
            raise unprocessable(
                f"O SKU {sku} já está disponível e não pode ser cancelado.", "ProductAlreadyAvailable", sku
            )
        load.status = CANCELED
        self._versions += 1
        load.version = self._versions

    # ------------------------------------------------------------ seller items

    def _make_available(self, load: Load) -> None:
        load.status, load.errors = AVAILABLE, []
        p = load.product
        config = self.env.config
        price: dict[str, Any] = p["price"] if isinstance(p.get("price"), dict) else {}
        default = to_decimal(price.get("default")) or Decimal(0)
        offer = to_decimal(price.get("offer")) or default
        stock: dict[str, Any] = p["stock"] if isinstance(p.get("stock"), dict) else {}
        site_id = str(self.env.next_id("skuSite"))
        product_id = str(self.env.next_id("product"))
        slug = _slug(str(p.get("title") or ""))
        gtin = [g for g in p.get("gtin") or [] if g] or None
        self.items[load.sku] = {
            "skuSellerId": load.sku,
            "skuSiteId": site_id,
            "title": p.get("title"),
            "brand": p.get("brand"),
            "gtin": gtin,
            "status": [{"active": True, "site": site} for site in config.sites],
            "prices": [
                {"offer": as_json_number(offer), "site": site, "default": as_json_number(default)}
                for site in config.sites
            ],
            "stocks": [
                {
                    "quantity": max(to_int(stock.get("quantity")) or 0, 0),
                    "reserved": 0,
                    "crossDockingTime": max(to_int(stock.get("crossDockingTime")) or 0, 0),
                    "warehouse": config.defaultWarehouse,
                }
            ],
            "urls": [
                {
                    "href": f"http://produto.{_SITE_HOSTS.get(site, 'extra.com.br')}/{slug}-{site_id}.html",
                    "id": site_id,
                    "site": site,
                }
                for site in config.sites
            ],
            "images": [
                {"type": "SRCP", "main": index == 0, "url": url}
                for index, url in enumerate(p.get("images") or [])
                if isinstance(url, str)
            ],
            "product": {"id": product_id, "href": f"/products/{product_id}"},
            "dimensions": p.get("dimensions"),
            "attributes": p.get("attributes") or [],
            "giftWrap": p.get("giftWrap"),
        }

    def require_item(self, sku: str) -> dict[str, Any]:
        item = self.items.get(sku)
        if item is not None:
            return item
        load = self.loads.get(sku)
        if load is not None:
            raise unprocessable(
                f"O SKU {sku} não está disponível (status {load.status}).", "SkuNotAvailable", sku
            )
        raise not_found(f"SKU {sku} não encontrado.", "SkuNotFound", sku)

    def list_items(self, site: str, selling: bool) -> list[dict[str, Any]]:
        rows = sorted(self.items.values(), key=lambda item: item["skuSellerId"])
        return [item for item in rows if not selling or _is_selling(item, site)]

    def set_price(self, sku: str, body: Any) -> None:
        item = self.require_item(sku)
        if not isinstance(body, dict):
            raise bad_request("the body must be {default, offer, site}", "InvalidBody", sku)
        site = body.get("site") or "EX"
        if not site_ok(site):
            raise bad_request(f"unknown site {site!r}", "InvalidSite", sku)
        default, offer = to_decimal(body.get("default")), to_decimal(body.get("offer"))
        if not money_ok(default) or not money_ok(offer):
            raise bad_request(
                "default and offer must be numbers greater than zero with at most 2 decimals",
                "PriceInvalid",
                sku,
            )
        assert default is not None and offer is not None
        if offer > default:
            raise unprocessable("O preço de oferta (por) é maior que o preço (de).", "OfferAboveDefault", sku)
        current = next((p for p in item["prices"] if p["site"] == site), None)
        if current is not None:
            current_offer = to_decimal(current.get("offer"))
            if current_offer is not None and offer * 2 < current_offer:
                raise unprocessable(PRICE_DROP_MESSAGE, "PriceVariationTooLarge", sku)
            current["default"], current["offer"] = as_json_number(default), as_json_number(offer)
        else:
            item["prices"].append(
                {"offer": as_json_number(offer), "site": site, "default": as_json_number(default)}
            )

    def set_stock(self, sku: str, body: Any) -> None:
        item = self.require_item(sku)
        if not isinstance(body, dict):
            raise bad_request("the body must be {quantity, crossDockingTime, warehouse}", "InvalidBody", sku)
        quantity = to_int(body.get("quantity"))
        if quantity is None or quantity < 0:
            raise bad_request("quantity must be an integer >= 0", "StockInvalid", sku)
        cross_raw = body.get("crossDockingTime")
        cross = to_int(cross_raw) if cross_raw is not None else None
        if cross_raw is not None and (cross is None or cross < 0):
            raise bad_request("crossDockingTime must be an integer >= 0", "CrossDockingInvalid", sku)
        warehouse_raw = body.get("warehouse")
        warehouse = to_int(warehouse_raw) if warehouse_raw is not None else self.env.config.defaultWarehouse
        if warehouse is None:
            raise bad_request("warehouse must be an integer id", "WarehouseInvalid", sku)
        entry = next((s for s in item["stocks"] if s["warehouse"] == warehouse), None)
        if entry is None:
            entry = {"quantity": 0, "reserved": 0, "crossDockingTime": 0, "warehouse": warehouse}
            item["stocks"].append(entry)
        entry["quantity"] = quantity
        if cross is not None:
            entry["crossDockingTime"] = cross

    def set_status(self, sku: str, body: Any) -> None:
        item = self.require_item(sku)
        if not isinstance(body, dict) or not isinstance(body.get("active"), bool):
            raise bad_request("the body must be {active: true|false, site}", "InvalidBody", sku)
        site = body.get("site") or "EX"
        if not site_ok(site):
            raise bad_request(f"unknown site {site!r}", "InvalidSite", sku)
        entry = next((s for s in item["status"] if s["site"] == site), None)
        if entry is None:
            item["status"].append({"active": body["active"], "site": site})
        else:
            entry["active"] = body["active"]

    # ------------------------------------------------------------ bulk updates

    def submit_bulk(self, kind: str, body: Any, now: datetime) -> None:
        entries = _require_list_body(body, "items", self.env.config.limits.bulkMaxItems)
        if not entries:
            raise bad_request("the body has no items", "EmptyLoad")
        jobs: list[tuple[dict[str, Any], Callable[[], None]]] = []
        list_key = {"prices": "prices", "stocks": "stocks", "status": "status"}[kind]
        for index, entry in enumerate(entries):
            sku = _sku_of(entry, index)
            values = entry.get(list_key)
            if not isinstance(values, list) or not values or not all(isinstance(v, dict) for v in values):
                raise bad_request(
                    f"item {index} needs a non-empty '{list_key}' list of objects", "InvalidBody", sku
                )
            for value in values:
                row = self._bulk_row(kind, sku, value, now)
                jobs.append((row, self._bulk_action(kind, sku, value)))
        for row, _ in jobs:
            self.bulk[kind].append(row)

        def process(due: datetime) -> None:
            for row, action in jobs:
                try:
                    action()
                    row["status"], row["errors"] = BULK_SUCCESS, []
                except ApiError as exc:
                    row["status"], row["errors"] = BULK_ERROR, exc.items
                row["processedAt"] = fmt(due)

        self.scheduler.after(now, self.env.config.bulkDelaySeconds, process)

    def _bulk_action(self, kind: str, sku: str, value: dict[str, Any]) -> Callable[[], None]:
        if kind == "prices":
            return lambda: self.set_price(sku, value)
        if kind == "stocks":
            return lambda: self.set_stock(sku, value)
        return lambda: self.set_status(sku, value)

    def _bulk_row(self, kind: str, sku: str, value: dict[str, Any], now: datetime) -> dict[str, Any]:
        item = self.items.get(sku)
        sku_site = item["skuSiteId"] if item else None
        base: dict[str, Any] = {"skuSellerId": sku, "status": BULK_PENDING, "processedAt": None}
        if kind == "prices":
            site = value.get("site") or "EX"
            base |= {
                "updateValue": f"default={value.get('default')};offer={value.get('offer')}",
                "siteName": SITE_NAMES.get(site, site),
            }
        elif kind == "stocks":
            base |= {
                "warehouse": value.get("warehouse", self.env.config.defaultWarehouse),
                "updateValue": (
                    f"quantity={value.get('quantity')};crossDockingTime={value.get('crossDockingTime')}"
                ),
                "refer": None,
                "skuSite": sku_site,
                "siteList": list(self.env.config.sites),
            }
        else:
            site = value.get("site") or "EX"
            base |= {
                "site": site,
                "updateValue": f"active={str(value.get('active')).lower()}",
                "siteName": SITE_NAMES.get(site, site),
                "skuSite": sku_site,
            }
        base["errors"] = []
        base["createdAt"] = fmt(now)
        return base


def _is_selling(item: dict[str, Any], site: str) -> bool:
    active = any(s["site"] == site and s["active"] for s in item["status"])
    price = next((p for p in item["prices"] if p["site"] == site), None)
    has_price = price is not None and (to_decimal(price.get("offer")) or Decimal(0)) > 0
    has_stock = any(s["quantity"] > 0 for s in item["stocks"])
    return active and has_price and has_stock and bool(item["images"])
