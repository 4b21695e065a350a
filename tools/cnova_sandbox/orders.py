"""Orders (sandbox creation, approval, raw replay), status lists and trackings."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from cnova_sandbox.clock import fmt, in_range, parse_dt, parse_range
from cnova_sandbox.env import Env, Scheduler
from cnova_sandbox.errors import ApiError, bad_request, conflict, error_item, not_found, unprocessable
from cnova_sandbox.validation import as_json_number, invoice_errors, money_ok, site_ok, to_decimal, to_int

NEW, APPROVED, SENT, PARTIALLY_SENT = "new", "approved", "sent", "partiallySent"
DELIVERED, PARTIALLY_DELIVERED, CANCELED = "delivered", "partiallyDelivered", "canceled"
LIST_NAMES = (NEW, APPROVED, SENT, PARTIALLY_SENT, DELIVERED, PARTIALLY_DELIVERED, CANCELED)

# The code each list shows in order.status (NEW/PEN/GDE/PAY/SHP/DLV are Cnova's; CAN is our choice).
LIST_TO_CODE = {
    NEW: "PEN",
    APPROVED: "PAY",
    PARTIALLY_SENT: "PAY",
    SENT: "SHP",
    PARTIALLY_DELIVERED: "SHP",
    DELIVERED: "DLV",
    CANCELED: "CAN",
}
# How a raw order's status code places it in a list.
CODE_TO_LIST = {
    "PEN": NEW,
    "NEW": NEW,
    "GDE": NEW,
    "PAY": APPROVED,
    "SHP": SENT,
    "DLV": DELIVERED,
    "CAN": CANCELED,
}
# The date filter each list documents; every list accepts all of them.
DATE_FILTERS = ("purchasedAt", "approvedAt", "sentAt", "deliveredAt", "canceledAt", "updatedAt")
TRACKING_KINDS = ("sent", "delivered", "cancel")
_DEFAULT_CONTROL_POINT = {
    "sent": ("ETR", "Em trânsito"),
    "delivered": ("ENT", "Entregue"),
    "cancel": ("CAN", "Entrega cancelada"),
}
_ALLOWED_FROM = {
    "sent": (APPROVED, PARTIALLY_SENT, PARTIALLY_DELIVERED),
    "delivered": (PARTIALLY_SENT, SENT, PARTIALLY_DELIVERED),
    "cancel": (NEW, APPROVED, PARTIALLY_SENT, SENT, PARTIALLY_DELIVERED),
}
_SITE_MAIL = {"EX": "mktp.extra.com.br", "PF": "mktp.pontofrio.com.br", "CB": "mktp.casasbahia.com.br"}


@dataclass
class Tracking:
    kind: str
    seller_delivery_id: str | None
    item_ids: list[str]
    entry: dict[str, Any]


@dataclass
class Order:
    id: str
    data: dict[str, Any]
    list_status: str | None
    indexed_at: datetime
    seq: int
    raw: bool = False
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    canceled_at: datetime | None = None
    delivered_items: set[str] = field(default_factory=set)
    canceled_items: set[str] = field(default_factory=set)
    trackings: list[Tracking] = field(default_factory=list)

    def items(self) -> list[dict[str, Any]]:
        items = self.data.get("items")
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def date(self, name: str) -> datetime | None:
        internal = {"sentAt": self.sent_at, "deliveredAt": self.delivered_at, "canceledAt": self.canceled_at}
        if name in internal and internal[name] is not None:
            return internal[name]
        value = self.data.get(name)
        if isinstance(value, str):
            try:
                return parse_dt(value)
            except ValueError:
                return None
        if name in internal and self.raw and self.list_status in _DATE_LIST.get(name, ()):
            return self.date("updatedAt")  # a replayed order: its last change is the best guess
        return None

    def view(self, hide_shipping: bool) -> dict[str, Any]:
        body = copy.deepcopy(self.data)
        if "orderSiteId" not in body and "orderMarketplaceId" in body:
            body["orderSiteId"] = body["orderMarketplaceId"]
        for tracking in body.get("trackings") or []:
            invoice = tracking.get("invoice") if isinstance(tracking, dict) else None
            if isinstance(invoice, dict) and "linkXml" not in invoice and "linkXML" in invoice:
                invoice["linkXml"] = invoice["linkXML"]
        if hide_shipping:
            body.pop("shipping", None)
        return body


_DATE_LIST = {
    "sentAt": (SENT, PARTIALLY_SENT, PARTIALLY_DELIVERED, DELIVERED),
    "deliveredAt": (DELIVERED, PARTIALLY_DELIVERED),
    "canceledAt": (CANCELED,),
}


def _digits(text: Any) -> str:
    return re.sub(r"\D", "", str(text)) if text is not None else ""


def _str_id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str) and str(value).strip():
        return str(value).strip()
    return None


class Orders:
    def __init__(self, env: Env, scheduler: Scheduler, seller_id: str, seller_name: str) -> None:
        self.env = env
        self.scheduler = scheduler
        self.seller = {"id": seller_id, "name": seller_name}
        self.orders: dict[str, Order] = {}
        self.delivery_ids: dict[str, str] = {}
        self.bulk: dict[str, list[dict[str, Any]]] = {"sent": [], "delivered": []}
        self._seq = 0

    # ------------------------------------------------------------ creation

    def create(self, body: Any, now: datetime, item_info: Callable[[str], dict[str, Any] | None]) -> str:
        if not isinstance(body, dict):
            raise bad_request("the body must be an OrderSandbox JSON object", "InvalidBody")
        site = body.get("site") or "EX"
        if not site_ok(site):
            raise bad_request(f"unknown site {site!r}", "InvalidSite")
        raw_items = body.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise bad_request("items must be a non-empty list", "ItemsRequired")
        customer = body.get("customer")
        if (
            not isinstance(customer, dict)
            or not isinstance(customer.get("name"), str)
            or not customer["name"].strip()
        ):
            raise bad_request("customer with a name is required", "CustomerRequired")
        number = self.env.next_id("order")
        order_id = f"{number}01"
        items: list[dict[str, Any]] = []
        total = Decimal(0)
        for index, raw in enumerate(raw_items):
            if not isinstance(raw, dict):
                raise bad_request(f"item {index} must be an object", "InvalidBody")
            sku = _str_id(raw.get("skuSellerId"))
            quantity = to_int(raw.get("quantity", 1))
            price = to_decimal(raw.get("salePrice"))
            if sku is None:
                raise bad_request(f"item {index} has no skuSellerId", "SkuSellerIdRequired")
            if quantity is None or quantity < 1:
                raise bad_request(f"item {index}: quantity must be an integer >= 1", "QuantityInvalid", sku)
            if not money_ok(price):
                raise bad_request(
                    f"item {index}: salePrice must be > 0 with at most 2 decimals", "PriceInvalid", sku
                )
            assert price is not None
            known = item_info(sku) or {}
            cross = next((s.get("crossDockingTime", 0) for s in known.get("stocks", [])), 0)
            name = raw.get("name") or known.get("title") or sku
            for _ in range(quantity):
                items.append(
                    {
                        "id": f"{order_id}-{len(items) + 1}",
                        "skuSellerId": sku,
                        "name": name,
                        "salePrice": as_json_number(price),
                        "sent": False,
                        "freight": {
                            "actualAmount": 0,
                            "chargedAmount": 0,
                            "transitTime": 5,
                            "crossDockingTime": cross,
                            "additionalInfo": None,
                            "type": "NOR",
                            "scheduledAt": None,
                            "scheduledPeriod": None,
                        },
                        "giftWrap": None,
                        "promotions": [],
                    }
                )
                total += price
        billing_in: dict[str, Any] = customer["billing"] if isinstance(customer.get("billing"), dict) else {}
        address_keys = (
            "address",
            "number",
            "complement",
            "quarter",
            "reference",
            "city",
            "state",
            "countryId",
            "zipCode",
        )
        billing = {k: billing_in.get(k) for k in address_keys}
        billing["countryId"] = billing["countryId"] or "BR"
        phones_in: dict[str, Any] = customer["phones"] if isinstance(customer.get("phones"), dict) else {}
        phones = [
            {"number": _digits(phones_in[key]), "type": key.upper()}
            for key in ("home", "mobile", "office")
            if phones_in.get(key)
        ]
        data: dict[str, Any] = {
            "id": order_id,
            "orderSiteId": str(number),
            "site": site,
            "paymentType": "1",
            "purchasedAt": fmt(now),
            "approvedAt": None,
            "updatedAt": fmt(now),
            "status": LIST_TO_CODE[NEW],
            "totalAmount": as_json_number(total),
            "totalDiscountAmount": 0,
            "billing": billing,
            "customer": {
                "id": str(self.env.next_id("customer")),
                "name": customer["name"],
                "documentNumber": _digits(customer.get("documentNumber")),
                "type": customer.get("type") or "PF",
                "createdAt": fmt(now),
                "email": f"atendimento+OS_{number}@{_SITE_MAIL.get(site, 'mktp.extra.com.br')}",
                "birthDate": customer.get("bornAt"),
                "phones": phones,
            },
            "freight": {
                "actualAmount": 0,
                "chargedAmount": 0,
                "type": "NOR",
                "scheduledAt": None,
                "scheduledPeriod": None,
            },
            "items": items,
            "shipping": {**billing, "recipientName": billing_in.get("recipientName") or customer["name"]},
            "trackings": None,
            "seller": dict(self.seller),
        }
        self._seq += 1
        indexed_at = now + timedelta(seconds=self.env.config.orderIndexDelaySeconds)
        self.orders[order_id] = Order(order_id, data, NEW, indexed_at, self._seq)
        return order_id

    def put_raw(self, order_id: str, body: Any, now: datetime) -> None:
        if not isinstance(body, dict):
            raise bad_request("the body must be an Order JSON object", "InvalidBody")
        body_id = _str_id(body.get("id"))
        if body_id is not None and body_id != order_id:
            raise bad_request("id in the body differs from the path", "OrderIdMismatch")
        data = copy.deepcopy(body)
        data["id"] = order_id
        code = data.get("status")
        list_status = CODE_TO_LIST.get(code) if isinstance(code, str) else None
        previous = self.orders.get(order_id)
        if previous is not None:
            for tracking in previous.trackings:
                if tracking.seller_delivery_id:
                    self.delivery_ids.pop(tracking.seller_delivery_id, None)
        self._seq += 1
        order = Order(order_id, data, list_status, now, self._seq, raw=True)
        for item in order.items():
            if item.get("sent") is True and list_status in (DELIVERED,):
                order.delivered_items.add(str(item.get("id")))
        for tracking in data.get("trackings") or []:
            sdid = tracking.get("sellerDeliveryId") if isinstance(tracking, dict) else None
            if isinstance(sdid, str) and sdid:
                self.delivery_ids.setdefault(sdid, order_id)
        self.orders[order_id] = order

    # ------------------------------------------------------------ reading

    def visible(self, order_id: str, now: datetime) -> Order:
        order = self.orders.get(order_id)
        if order is None or order.indexed_at > now:
            raise not_found(f"Pedido {order_id} não encontrado.", "OrderNotFound")
        return order

    def any_order(self, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise not_found(f"Pedido {order_id} não encontrado.", "OrderNotFound")
        return order

    def listing(self, list_name: str | None, args: dict[str, str], now: datetime) -> list[Order]:
        ranges = {}
        for name in DATE_FILTERS:
            if name in args:
                try:
                    ranges[name] = parse_range(args[name])
                except ValueError as exc:
                    raise bad_request(f"{name}: {exc}", "InvalidDateRange") from exc
        name_filter = args.get("customer.name", "").strip().lower()
        doc_filter = _digits(args.get("customer.documentNumber", ""))
        rows = []
        for order in self.orders.values():
            if order.indexed_at > now or (list_name is not None and order.list_status != list_name):
                continue
            if not all(in_range(order.date(name), bounds) for name, bounds in ranges.items()):
                continue
            customer: dict[str, Any] = (
                order.data["customer"] if isinstance(order.data.get("customer"), dict) else {}
            )
            if name_filter and name_filter not in str(customer.get("name") or "").lower():
                continue
            if doc_filter and doc_filter != _digits(customer.get("documentNumber")):
                continue
            rows.append(order)
        # Oldest change first (consistent with the recorded page): an order that changes moves to the end.
        return sorted(
            rows, key=lambda o: (o.date("updatedAt") or o.date("purchasedAt") or o.indexed_at, o.seq)
        )

    def item(self, order_id: str, key: str, now: datetime) -> dict[str, Any]:
        order = self.visible(order_id, now)
        for item in order.items():
            if item.get("id") == key:
                return item
        for item in order.items():
            if str(item.get("skuSellerId")) == key:
                return item
        raise not_found(f"Item {key} não encontrado no pedido {order_id}.", "ItemNotFound", key)

    # ------------------------------------------------------------ status moves

    def approve(self, order_id: str, now: datetime) -> None:
        order = self.visible(order_id, now)
        if order.list_status == APPROVED:
            return
        if order.list_status != NEW:
            raise unprocessable(
                f"Pedido {order_id} não está novo (status {order.data.get('status')}).", "InvalidOrderStatus"
            )
        self._move(order, APPROVED, now)

    def move(self, order_id: str, status: Any, now: datetime) -> Order:
        order = self.any_order(order_id)
        if not isinstance(status, str):
            raise bad_request(f"status must be one of {', '.join(LIST_NAMES)}", "InvalidStatus")
        wanted = status if status in LIST_NAMES else CODE_TO_LIST.get(status.upper())
        if wanted is None:
            raise bad_request(f"status must be one of {', '.join(LIST_NAMES)}", "InvalidStatus")
        if wanted in (SENT, DELIVERED):
            for item in order.items():
                if str(item.get("id")) not in order.canceled_items:
                    item["sent"] = True
                    if wanted == DELIVERED:
                        order.delivered_items.add(str(item.get("id")))
        if wanted == CANCELED:
            order.canceled_items |= {
                str(i.get("id")) for i in order.items() if str(i.get("id")) not in order.delivered_items
            }
        self._move(order, wanted, now)
        return order

    def _move(self, order: Order, list_status: str, now: datetime) -> None:
        order.list_status = list_status
        order.data["status"] = LIST_TO_CODE[list_status]
        if list_status == APPROVED and not order.data.get("approvedAt"):
            order.data["approvedAt"] = fmt(now)
        if list_status in (SENT, PARTIALLY_SENT):
            order.sent_at = now
        if list_status in (DELIVERED, PARTIALLY_DELIVERED):
            order.delivered_at = now
            order.sent_at = order.sent_at or now
        if list_status == CANCELED:
            order.canceled_at = now
        order.data["updatedAt"] = fmt(now)

    # ------------------------------------------------------------ trackings

    def post_tracking(self, order_id: str, kind: str, body: Any, now: datetime) -> bool:
        """Apply a tracking. Returns False when it repeats one already applied (idempotent retry)."""
        order = self.visible(order_id, now)
        if not isinstance(body, dict):
            raise bad_request("the body must be a tracking JSON object", "InvalidBody")
        raw_items = body.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise bad_request("items must be a non-empty list", "TrackingItemsRequired")
        if all(isinstance(i, str | int) and not isinstance(i, bool) for i in raw_items):
            id_list = [str(i) for i in raw_items]
            ids: list[str] | None = id_list
            wanted_skus: Counter[str] | None = None
            if len(set(id_list)) != len(id_list):
                raise bad_request("an item id is repeated", "DuplicateItem")
        elif all(isinstance(i, dict) for i in raw_items):
            ids = None
            wanted_skus = Counter()
            for entry in raw_items:
                sku = _str_id(entry.get("skuSellerId"))
                quantity = to_int(entry.get("quantity", 1))
                if sku is None or quantity is None or quantity < 1:
                    raise bad_request(
                        "each item needs skuSellerId and a quantity >= 1", "InvalidTrackingItem"
                    )
                wanted_skus[sku] += quantity
        else:
            raise bad_request(
                "items must be all order-item ids or all {skuSellerId, quantity}", "InvalidTrackingItem"
            )
        sdid = _str_id(body.get("sellerDeliveryId"))
        if kind in ("sent", "delivered") and sdid is None:
            raise bad_request("sellerDeliveryId is required", "SellerDeliveryIdRequired")
        problems = invoice_errors(body.get("invoice"))
        occurred_raw = body.get("occurredAt")
        occurred = now
        if occurred_raw is not None:
            try:
                if not isinstance(occurred_raw, str):
                    raise ValueError
                occurred = parse_dt(occurred_raw)
            except ValueError:
                problems.append("occurredAt must be an ISO-8601 timestamp")
        if problems:
            items = [error_item("InvalidTracking", 400, p, "ValidationError") for p in problems]
            raise ApiError(400, "InvalidTracking", problems[0], "ValidationError", items=items)

        if sdid is not None:
            earlier = next(
                (t for t in order.trackings if t.kind == kind and t.seller_delivery_id == sdid), None
            )
            if earlier is not None:
                if self._same_items(order, earlier, ids, wanted_skus):
                    return False
                raise conflict(
                    f"sellerDeliveryId {sdid} já foi usado neste pedido com outros itens.",
                    "DuplicateSellerDeliveryId",
                )
            owner = self.delivery_ids.get(sdid)
            if owner is not None and owner != order.id:
                raise conflict(
                    f"sellerDeliveryId {sdid} já foi usado no pedido {owner}.", "SellerDeliveryIdInUse"
                )

        if order.list_status not in _ALLOWED_FROM[kind]:
            raise unprocessable(
                f"Pedido {order.id} está com status {order.data.get('status')} ({order.list_status}); "
                f"tracking '{kind}' não permitido.",
                "InvalidOrderStatus",
            )
        chosen = self._resolve(order, kind, ids, wanted_skus)
        self._apply(order, kind, chosen, body, sdid, occurred, now)
        return True

    @staticmethod
    def _same_items(
        order: Order, earlier: Tracking, ids: list[str] | None, skus: Counter[str] | None
    ) -> bool:
        if ids is not None:
            return set(ids) == set(earlier.item_ids)
        by_id = {str(i.get("id")): str(i.get("skuSellerId")) for i in order.items()}
        return Counter(by_id.get(i, "") for i in earlier.item_ids) == skus

    def _eligible(self, order: Order, kind: str, item: dict[str, Any]) -> str | None:
        """Why ``item`` cannot take a ``kind`` tracking (None when it can)."""
        item_id = str(item.get("id"))
        if item_id in order.canceled_items:
            return "ItemCanceled"
        if kind == "sent":
            return "ItemAlreadySent" if item.get("sent") is True else None
        if kind == "delivered":
            if item.get("sent") is not True:
                return "ItemNotSent"
            return "ItemAlreadyDelivered" if item_id in order.delivered_items else None
        return "ItemAlreadyDelivered" if item_id in order.delivered_items else None

    def _resolve(
        self, order: Order, kind: str, ids: list[str] | None, skus: Counter[str] | None
    ) -> list[str]:
        by_id = {str(i.get("id")): i for i in order.items()}
        if ids is not None:
            unknown = [i for i in ids if i not in by_id]
            if unknown:
                raise unprocessable(
                    f"Itens não encontrados no pedido {order.id}: {', '.join(unknown)}.", "ItemNotFound"
                )
            for item_id in ids:
                reason = self._eligible(order, kind, by_id[item_id])
                if reason is not None:
                    raise unprocessable(f"Item {item_id}: {reason}.", reason)
            return ids
        assert skus is not None
        chosen: list[str] = []
        for sku, quantity in skus.items():
            units = [i for i in order.items() if str(i.get("skuSellerId")) == sku]
            if not units:
                raise unprocessable(f"SKU {sku} não está no pedido {order.id}.", "ItemNotFound", sku)
            ok = [str(i.get("id")) for i in units if self._eligible(order, kind, i) is None]
            if kind == "cancel":  # cancel units not yet sent first
                ok.sort(key=lambda item_id: by_id[item_id].get("sent") is True)
            if len(ok) < quantity:
                raise unprocessable(
                    f"SKU {sku}: {quantity} unidade(s) pedidas, {len(ok)} disponível(is) para '{kind}'.",
                    "ItemQuantityNotAvailable",
                    sku,
                )
            chosen.extend(ok[:quantity])
        return chosen

    def _apply(
        self,
        order: Order,
        kind: str,
        chosen: list[str],
        body: dict[str, Any],
        sdid: str | None,
        occurred: datetime,
        now: datetime,
    ) -> None:
        by_id = {str(i.get("id")): i for i in order.items()}
        for item_id in chosen:
            if kind == "sent":
                by_id[item_id]["sent"] = True
            elif kind == "delivered":
                order.delivered_items.add(item_id)
            else:
                order.canceled_items.add(item_id)
        control_point, description = _DEFAULT_CONTROL_POINT[kind]
        carrier = body.get("carrier")
        if isinstance(carrier, list):  # the 2015 cancel POJO sends a list of {name, description}
            carrier = carrier[0] if carrier and isinstance(carrier[0], dict) else None
        invoice = body.get("invoice") if isinstance(body.get("invoice"), dict) else None
        entry = {
            "items": [{"id": item_id, "href": f"/orders/{order.id}/items/{item_id}"} for item_id in chosen],
            "controlPoint": body.get("controlPoint") or control_point,
            "description": body.get("description") or body.get("info") or description,
            "occurredAt": fmt(occurred),
            "url": body.get("url"),
            "number": body.get("number"),
            "sellerDeliveryId": sdid,
            "cte": body.get("cte"),
            "carrier": {"name": carrier.get("name"), "cnpj": carrier.get("cnpj")}
            if isinstance(carrier, dict)
            else None,
            "invoice": None
            if invoice is None
            else {
                "cnpj": invoice.get("cnpj"),
                "number": None if invoice.get("number") is None else str(invoice.get("number")),
                "serie": None if invoice.get("serie") is None else str(invoice.get("serie")),
                "issuedAt": invoice.get("issuedAt"),
                "accessKey": invoice.get("accessKey"),
                "linkXml": invoice.get("linkXml", invoice.get("linkXML")),
                "linkDanfe": invoice.get("linkDanfe"),
            },
        }
        if not isinstance(order.data.get("trackings"), list):
            order.data["trackings"] = []
        order.data["trackings"].append(entry)
        order.trackings.append(Tracking(kind, sdid, list(chosen), entry))
        if sdid is not None:
            self.delivery_ids.setdefault(sdid, order.id)
        self._recompute(order, now)

    def _recompute(self, order: Order, now: datetime) -> None:
        items = order.items()
        active = [i for i in items if str(i.get("id")) not in order.canceled_items]
        delivered = [i for i in active if str(i.get("id")) in order.delivered_items]
        sent = [i for i in active if i.get("sent") is True]
        if not active:
            status = CANCELED
        elif len(delivered) == len(active):
            status = DELIVERED
        elif delivered:
            status = PARTIALLY_DELIVERED
        elif len(sent) == len(active):
            status = SENT
        elif sent:
            status = PARTIALLY_SENT
        else:
            status = order.list_status if order.list_status in (NEW, APPROVED) else APPROVED
        if status != order.list_status or status in (SENT, PARTIALLY_SENT, DELIVERED, PARTIALLY_DELIVERED):
            self._move(order, status, now)
        order.data["updatedAt"] = fmt(now)

    # ------------------------------------------------------------ bulk trackings

    def submit_bulk(self, kind: str, body: Any, now: datetime) -> None:
        trackings = body.get("trackings") if isinstance(body, dict) else None
        if not isinstance(trackings, list) or not trackings:
            raise bad_request('the body must be {"trackings": [OrderTracking, ...]}', "InvalidBody")
        max_items = self.env.config.limits.bulkMaxItems
        if len(trackings) > max_items:
            raise ApiError(
                413, "TooManyItems", f"at most {max_items} trackings per request", "ValidationError"
            )
        jobs: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
        for index, tracking in enumerate(trackings):
            order_ref = tracking.get("order") if isinstance(tracking, dict) else None
            order_id = _str_id(order_ref.get("id")) if isinstance(order_ref, dict) else None
            if order_id is None:
                raise bad_request(f"tracking {index} has no order.id", "OrderIdRequired")
            assert isinstance(tracking, dict)
            row = {
                "order": {"id": order_id, "href": f"/orders/{order_id}"},
                "items": tracking.get("items"),
                "status": "Pending",
                "processedAt": None,
                "createdAt": fmt(now),
                "errors": [],
            }
            jobs.append((row, order_id, tracking))
        self.bulk[kind].extend(row for row, _, _ in jobs)

        def process(due: datetime) -> None:
            for row, order_id, tracking in jobs:
                try:
                    self.post_tracking(order_id, kind, tracking, due)
                    row["status"], row["errors"] = "Success", []
                except ApiError as exc:
                    row["status"], row["errors"] = "Error", exc.items
                row["processedAt"] = fmt(due)

        self.scheduler.after(now, self.env.config.bulkDelaySeconds, process)

    def bulk_rows(
        self, kind: str, status: str | None, created: tuple[datetime | None, datetime | None]
    ) -> list[dict[str, Any]]:
        rows = self.bulk[kind]
        if status:
            rows = [r for r in rows if r["status"].lower() == status.lower()]
        return [r for r in rows if in_range(parse_dt(r["createdAt"]), created)]

    def all_trackings(self) -> list[dict[str, Any]]:
        result = []
        for order in sorted(self.orders.values(), key=lambda o: o.seq):
            for tracking in order.trackings:
                result.append(
                    {
                        "order": {"id": order.id, "href": f"/orders/{order.id}"},
                        "type": tracking.kind,
                        **tracking.entry,
                    }
                )
        return result
