"""Pydantic v2 models of Cnova API v2 payloads, with Cnova's wire names.

* Field names are snake_case; wire names (camelCase) are aliases; both are accepted on input
  (``populate_by_name``). Unknown fields are kept (``extra="allow"``) so nothing Cnova adds is lost.
* Money and measures are :class:`~decimal.Decimal`. The client parses JSON with
  ``parse_float=Decimal`` so no value goes through a binary float on the way in; on the way out a
  Decimal is written as a JSON number (``int`` when integral, else the shortest float repr, which is
  exact for decimals with <= 15 significant digits, i.e. every price).
* Spellings the sources disagree on are both accepted and the official one is emitted:
  ``orderSiteId`` (recorded 2015 data: ``orderMarketplaceId``) and ``linkXml`` (GPUPO: ``linkXML``).
* ``categories`` are normalised to a list of path strings ``["A>B"]`` whether they come as path
  strings or, as recorded, as a list of levels ``["A", "B"]``.
* ``to_wire()`` gives the JSON-ready dict to send (aliases, no ``None`` values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "Address",
    "Attribute",
    "BulkPriceItem",
    "BulkPriceResult",
    "BulkStatusItem",
    "BulkStatusResult",
    "BulkStockItem",
    "BulkStockResult",
    "BulkTracking",
    "BulkTrackingOrder",
    "BulkTrackingResult",
    "CancelItem",
    "CancelTracking",
    "Carrier",
    "CnovaModel",
    "Customer",
    "Dimensions",
    "ErrorItem",
    "Freight",
    "GiftWrap",
    "Invoice",
    "ItemFreight",
    "LoadStatus",
    "LoadedProduct",
    "NewTracking",
    "Order",
    "OrderItem",
    "OrderLine",
    "OrderListStatus",
    "Phone",
    "PriceUpdate",
    "Product",
    "ProductLoadStatus",
    "ProductPrice",
    "ProductStock",
    "SandboxCustomer",
    "SandboxOrder",
    "SandboxOrderItem",
    "SellerItem",
    "SiteStatus",
    "StatusUpdate",
    "StockUpdate",
    "Tracking",
    "TrackingItem",
    "normalise_categories",
]


# ---------------------------------------------------------------------------------------------------
# Scalar types


def _decimal_to_json(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _datetime_to_json(value: datetime) -> str:
    # Cnova's own format: milliseconds and offset, e.g. 2015-04-30T14:54:29.000-03:00
    return value.isoformat(timespec="milliseconds")


def _lenient_datetime(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text  # let pydantic report it
    return value


def _drop_nulls(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if v is not None]
    if isinstance(value, str):
        return [value]
    return value


def _empty_list_if_none(value: Any) -> Any:
    return [] if value is None else value


Money = Annotated[Decimal, PlainSerializer(_decimal_to_json, return_type=int | float, when_used="json")]
"""A decimal amount, written to JSON as a number."""

WireDatetime = Annotated[
    datetime,
    BeforeValidator(_lenient_datetime),
    PlainSerializer(_datetime_to_json, return_type=str, when_used="json"),
]
"""A timestamp read leniently (ISO-8601, with or without offset) and written as Cnova writes it."""

OutDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_lenient_datetime),
    PlainSerializer(_datetime_to_json, return_type=str, when_used="json"),
]
"""A timestamp we send: it must carry its UTC offset (Cnova's data are in -03:00)."""

StrList = Annotated[list[str], BeforeValidator(_drop_nulls)]
"""A list of strings, ``null`` members dropped (recorded data has ``"gtin": [null]``)."""


class CnovaModel(BaseModel):
    """Base of every Cnova payload model."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        coerce_numbers_to_str=True,
        # build validators on first use: a Lambda pays only for the models it touches (cold start)
        defer_build=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """JSON-ready dict with Cnova's names, ``None`` values left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# ---------------------------------------------------------------------------------------------------
# Shared pieces


class ErrorItem(CnovaModel):
    """Cnova's ``Error`` object, inside ``GET /loads/products/{sku}`` and bulk results."""

    code: str | None = None
    message: str | None = None
    http_status: str | None = None
    type: str | None = None
    sku_seller_id: str | None = None


class Attribute(CnovaModel):
    name: str
    value: str | None = None


class Dimensions(CnovaModel):
    """Weight in kg; length, width and height in metres."""

    weight: Money | None = None
    length: Money | None = None
    width: Money | None = None
    height: Money | None = None


class GiftWrap(CnovaModel):
    available: bool | None = None
    value: Money | None = None
    message_support: bool | None = None


class Ref(CnovaModel):
    """``{id, href}`` link to another resource."""

    id: str | None = None
    href: str | None = None


def normalise_categories(value: Any) -> list[str]:
    """Normalise Cnova ``categories`` to a list of ``"A>B"`` path strings.

    * ``"A>B"`` or ``["A>B"]`` → ``["A>B"]`` (the documented form; spaces around ``>`` trimmed)
    * ``["A", "B"]`` (recorded form: one element per level, no ``>`` in any) → ``["A>B"]``
    * ``["A>B", "C>D"]`` → kept as two paths.
    A single-level ``["A"]`` stays ``["A"]``.
    """
    if value is None:
        return []
    raw = [value] if isinstance(value, str) else list(value)
    parts = [str(v).strip() for v in raw if v is not None and str(v).strip()]
    if not parts:
        return []
    if len(parts) > 1 and not any(">" in p for p in parts):
        return [">".join(parts)]
    return [">".join(level.strip() for level in p.split(">") if level.strip()) for p in parts]


# ---------------------------------------------------------------------------------------------------
# Product loads


class ProductPrice(CnovaModel):
    """``default`` is the "de" (list) price, ``offer`` the "por" (selling) price."""

    default: Money | None = None
    offer: Money | None = None


class ProductStock(CnovaModel):
    quantity: int | None = None
    cross_docking_time: int | None = None


class Product(CnovaModel):
    """One SKU of a product load (``POST /loads/products`` takes a list of these)."""

    sku_seller_id: str
    product_seller_id: str | None = None
    sku_id: str | None = None
    title: str | None = None
    description: str | None = None
    brand: str | None = None
    gtin: StrList = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    images: StrList = Field(default_factory=list)
    videos: StrList = Field(default_factory=list)
    price: ProductPrice | None = None
    stock: ProductStock | None = None
    dimensions: Dimensions | None = None
    gift_wrap: GiftWrap | None = None
    attributes: Annotated[list[Attribute], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, value: Any) -> list[str]:
        return normalise_categories(value)

    @property
    def category_path(self) -> str | None:
        return self.categories[0] if self.categories else None


class LoadedProduct(Product):
    """``GET /loads/products/{skuSellerId}``: the loaded SKU and its review errors."""

    errors: Annotated[list[ErrorItem], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)


class LoadStatus:
    """Load/review status values as recorded (title case). The doc prose writes them upper case;
    the model normalises known values to this spelling and keeps unknown ones as they came."""

    PENDING = "Pending"
    AVAILABLE = "Available"
    ERROR = "Error"
    CANCELED = "Canceled"
    ALL = (PENDING, AVAILABLE, ERROR, CANCELED)


def _normalise_load_status(value: Any) -> Any:
    if isinstance(value, str):
        for known in LoadStatus.ALL:
            if value.strip().lower() == known.lower():
                return known
        if value.strip().lower() == "cancelled":
            return LoadStatus.CANCELED
    return value


class ProductLoadStatus(CnovaModel):
    """Element of ``GET /loads/products``: ``{skuSeller:{id, href}, status, createdAt}``."""

    sku_seller: Ref
    status: Annotated[str | None, BeforeValidator(_normalise_load_status)] = None
    created_at: WireDatetime | None = None

    @property
    def sku_seller_id(self) -> str | None:
        return self.sku_seller.id


# ---------------------------------------------------------------------------------------------------
# Seller items


class SiteStatus(CnovaModel):
    active: bool | None = None
    site: str | None = None


class SitePrice(CnovaModel):
    default: Money | None = None
    offer: Money | None = None
    site: str | None = None


class WarehouseStock(CnovaModel):
    quantity: int | None = None
    reserved: int | None = None
    cross_docking_time: int | None = None
    warehouse: int | str | None = None


class SiteUrl(CnovaModel):
    id: str | None = None
    href: str | None = None
    site: str | None = None


class Image(CnovaModel):
    type: str | None = None
    main: bool | None = None
    url: str | None = None


class SellerItem(CnovaModel):
    """``GET /sellerItems`` element and ``GET /sellerItems/{skuSellerId}``."""

    sku_seller_id: str
    sku_site_id: str | None = None
    title: str | None = None
    brand: str | None = None
    gtin: StrList = Field(default_factory=list)
    status: Annotated[list[SiteStatus], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)
    prices: Annotated[list[SitePrice], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)
    stocks: Annotated[list[WarehouseStock], BeforeValidator(_empty_list_if_none)] = Field(
        default_factory=list
    )
    urls: Annotated[list[SiteUrl], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)
    images: Annotated[list[Image], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)
    product: Ref | None = None
    dimensions: Dimensions | None = None
    gift_wrap: GiftWrap | None = None
    attributes: Annotated[list[Attribute], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)

    def price_for(self, site: str) -> SitePrice | None:
        return next((p for p in self.prices if p.site == site), None)

    def is_active(self, site: str) -> bool | None:
        return next((s.active for s in self.status if s.site == site), None)

    @property
    def total_stock(self) -> int:
        return sum(s.quantity or 0 for s in self.stocks)


class PriceUpdate(CnovaModel):
    """Body of ``PUT /sellerItems/{sku}/prices`` and an element of a bulk price update."""

    default: Money
    offer: Money
    site: str | None = None


class StockUpdate(CnovaModel):
    """Body of ``PUT /sellerItems/{sku}/stock`` and an element of a bulk stock update."""

    quantity: int = Field(ge=0)
    cross_docking_time: int | None = Field(default=None, ge=0)
    warehouse: int | str | None = None


class StatusUpdate(CnovaModel):
    """Body of ``PUT /sellerItems/{sku}/status`` and an element of a bulk status update."""

    active: bool
    site: str | None = None


class BulkPriceItem(CnovaModel):
    sku_seller_id: str
    prices: list[PriceUpdate]


class BulkStockItem(CnovaModel):
    sku_seller_id: str
    stocks: list[StockUpdate]


class BulkStatusItem(CnovaModel):
    sku_seller_id: str
    status: list[StatusUpdate]


class _BulkResult(CnovaModel):
    sku_seller_id: str | None = None
    status: str | None = None
    processed_at: WireDatetime | None = None
    update_value: Any = None
    errors: Annotated[list[ErrorItem], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)


class BulkPriceResult(_BulkResult):
    """Element of ``GET /loads/sellerItems/prices``."""

    site_name: str | None = None


class BulkStockResult(_BulkResult):
    """Element of ``GET /loads/sellerItems/stocks``."""

    warehouse: int | str | None = None
    refer: Any = None
    sku_site: str | None = None
    site_list: Any = None


class BulkStatusResult(_BulkResult):
    """Element of ``GET /loads/sellerItems/status``."""

    site: str | None = None
    site_name: str | None = None
    sku_site: str | None = None


# ---------------------------------------------------------------------------------------------------
# Orders

OrderListStatus = Literal[
    "new", "approved", "sent", "partiallySent", "delivered", "partiallyDelivered", "canceled"
]

#: Date filter of each order status list (cnova-api.md §3.3; partiallyDelivered takes sentAt, sic).
ORDER_LIST_DATE_FILTER: dict[str, str] = {
    "new": "purchasedAt",
    "approved": "approvedAt",
    "sent": "sentAt",
    "partiallySent": "sentAt",
    "delivered": "deliveredAt",
    "partiallyDelivered": "sentAt",
    "canceled": "canceledAt",
}


class Address(CnovaModel):
    address: str | None = None
    number: str | None = None
    complement: str | None = None
    quarter: str | None = None
    reference: str | None = None
    city: str | None = None
    state: str | None = None
    country_id: str | None = None
    zip_code: str | None = None
    recipient_name: str | None = None


class Phone(CnovaModel):
    number: str | None = None
    type: str | None = None


class Customer(CnovaModel):
    id: str | None = None
    name: str | None = None
    document_number: str | None = Field(default=None, repr=False)  # CPF/CNPJ: keep out of reprs and logs
    type: str | None = None
    created_at: WireDatetime | None = None
    email: str | None = None
    birth_date: str | None = None
    phones: Annotated[list[Phone], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)


class Freight(CnovaModel):
    actual_amount: Money | None = None
    charged_amount: Money | None = None
    type: str | None = None
    scheduled_at: WireDatetime | None = None
    scheduled_period: str | None = None


class ItemFreight(Freight):
    transit_time: int | None = None
    cross_docking_time: int | None = None
    additional_info: str | None = None


class Promotion(CnovaModel):
    id: str | None = None
    name: str | None = None
    amount: Money | None = None
    type: str | None = None


class OrderItem(CnovaModel):
    """One *unit* of a SKU in an order (Cnova has no quantity field: 2 units are 2 items)."""

    id: str
    sku_seller_id: str
    name: str | None = None
    sale_price: Money | None = None
    sent: bool | None = None
    freight: ItemFreight | None = None
    gift_wrap: dict[str, Any] | None = None
    promotions: Annotated[list[Promotion], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)


class Carrier(CnovaModel):
    name: str | None = None
    cnpj: str | None = None


class Invoice(CnovaModel):
    cnpj: str | None = None
    number: str | None = None
    serie: str | None = None
    issued_at: WireDatetime | None = None
    access_key: str | None = None
    link_xml: str | None = Field(
        default=None,
        validation_alias=AliasChoices("linkXml", "linkXML", "link_xml"),
        serialization_alias="linkXml",
    )
    link_danfe: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, data: Any) -> Any:
        if isinstance(data, dict) and "linkXml" in data and "linkXML" in data:
            data = {k: v for k, v in data.items() if k != "linkXML"}
        return data


def _tracking_item(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


class TrackingItem(CnovaModel):
    """An item of a tracking as Cnova returns it: ``{id, href}`` (official) or
    ``{skuSellerId, quantity, href}`` (GPUPO schema); a bare id string is accepted too."""

    id: str | None = None
    href: str | None = None
    sku_seller_id: str | None = None
    quantity: int | None = None


class Tracking(CnovaModel):
    """Element of ``order.trackings``."""

    items: Annotated[
        list[Annotated[TrackingItem, BeforeValidator(_tracking_item)]], BeforeValidator(_empty_list_if_none)
    ] = Field(default_factory=list)
    control_point: str | None = None
    description: str | None = None
    occurred_at: WireDatetime | None = None
    url: str | None = None
    number: str | None = None
    seller_delivery_id: str | None = None
    cte: str | None = None
    carrier: Carrier | None = None
    invoice: Invoice | None = None

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items if i.id]


@dataclass(frozen=True)
class OrderLine:
    """Per-SKU view of an order: Cnova's one-item-per-unit list grouped by ``skuSellerId``.

    ``unit_price`` is the first unit's ``salePrice``; ``total`` sums every unit (they normally match).
    ``item_ids`` are the Cnova item ids, needed in trackings.
    """

    sku_seller_id: str
    quantity: int
    unit_price: Decimal | None
    total: Decimal
    item_ids: tuple[str, ...]
    name: str | None = None
    sent_item_ids: tuple[str, ...] = field(default=())


class Order(CnovaModel):
    """``GET /orders/{orderId}`` and the elements of the order lists."""

    id: str
    order_site_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices("orderSiteId", "orderMarketplaceId", "order_site_id"),
        serialization_alias="orderSiteId",
    )
    site: str | None = None
    payment_type: str | None = None
    purchased_at: WireDatetime | None = None
    approved_at: WireDatetime | None = None
    updated_at: WireDatetime | None = None
    status: str | None = None
    total_amount: Money | None = None
    total_discount_amount: Money | None = None
    billing: Address | None = None
    customer: Customer | None = None
    freight: Freight | None = None
    items: Annotated[list[OrderItem], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)
    shipping: Address | None = None
    trackings: Annotated[list[Tracking], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)
    seller: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_spelling(cls, data: Any) -> Any:
        if isinstance(data, dict) and "orderSiteId" in data and "orderMarketplaceId" in data:
            data = {k: v for k, v in data.items() if k != "orderMarketplaceId"}
        return data

    def lines(self) -> list[OrderLine]:
        """Items grouped per SKU, in order of first appearance."""
        grouped: dict[str, list[OrderItem]] = {}
        for item in self.items:
            grouped.setdefault(item.sku_seller_id, []).append(item)
        lines = []
        for sku, units in grouped.items():
            total = sum((u.sale_price for u in units if u.sale_price is not None), Decimal(0))
            lines.append(
                OrderLine(
                    sku_seller_id=sku,
                    quantity=len(units),
                    unit_price=units[0].sale_price,
                    total=total,
                    item_ids=tuple(u.id for u in units),
                    name=units[0].name,
                    sent_item_ids=tuple(u.id for u in units if u.sent),
                )
            )
        return lines

    def item_ids_for(self, sku_seller_id: str) -> list[str]:
        return [i.id for i in self.items if i.sku_seller_id == sku_seller_id]

    def find_tracking(
        self,
        seller_delivery_id: str,
        item_ids: list[str] | None = None,
        occurred_at: datetime | None = None,
    ) -> Tracking | None:
        """The tracking with this ``sellerDeliveryId`` covering ``item_ids`` (and, when given, this
        ``occurredAt`` instant), or None. Used to tell whether an ambiguous tracking POST was applied."""
        wanted = set(item_ids or [])
        for tracking in self.trackings:
            if tracking.seller_delivery_id != seller_delivery_id:
                continue
            if wanted and not wanted.issubset(set(tracking.item_ids)):
                continue
            if (
                occurred_at is not None
                and tracking.occurred_at is not None
                and tracking.occurred_at.tzinfo is not None
                and tracking.occurred_at != occurred_at
            ):
                continue
            return tracking
        return None


# ---------------------------------------------------------------------------------------------------
# Trackings we send


class NewTracking(CnovaModel):
    """Body of ``POST /orders/{orderId}/trackings/{sent|delivered}`` (official ``NewTracking``):
    ``items`` are Cnova order-item ids (one per unit, e.g. ``"23236199-1"``)."""

    items: list[str] = Field(min_length=1)
    occurred_at: OutDatetime
    url: str | None = None
    number: str | None = None
    seller_delivery_id: str | None = None
    cte: str | None = None
    carrier: Carrier | None = None
    invoice: Invoice | None = None
    control_point: str | None = None


class CancelItem(CnovaModel):
    sku_seller_id: str
    quantity: int = Field(ge=1)


class CancelTracking(CnovaModel):
    """Body of ``POST /orders/{orderId}/trackings/cancel`` in the form cnova-api.md §5.1 recommends:
    ``{items: [{skuSellerId, quantity}], info}`` (plus ``occurredAt``)."""

    items: list[CancelItem] = Field(min_length=1)
    info: str | None = None
    occurred_at: OutDatetime | None = None


class BulkTrackingOrder(CnovaModel):
    id: str


class BulkTrackingItem(CnovaModel):
    sku_seller_id: str
    quantity: int = Field(ge=1)


class BulkTracking(CnovaModel):
    """Element of ``POST /loads/orders/trackings/{sent|delivered}`` (``{"trackings": [...]}``)."""

    order: BulkTrackingOrder
    items: list[BulkTrackingItem] = Field(min_length=1)
    occurred_at: OutDatetime
    control_point: str | None = None
    cte: str | None = None
    seller_delivery_id: str | None = None
    number: str | None = None
    url: str | None = None
    carrier: Carrier | None = None
    invoice: Invoice | None = None


class BulkTrackingResult(CnovaModel):
    """Element of ``GET /loads/orders/trackings/{sent|delivered}``."""

    order: Ref | None = None
    items: Annotated[list[TrackingItem], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)
    status: str | None = None
    processed_at: WireDatetime | None = None
    errors: Annotated[list[ErrorItem], BeforeValidator(_empty_list_if_none)] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------------
# Sandbox-only order creation


class SandboxOrderItem(CnovaModel):
    sku_seller_id: str
    name: str | None = None
    sale_price: Money
    quantity: int = Field(ge=1)


class SandboxPhones(CnovaModel):
    mobile: str | None = None
    home: str | None = None
    office: str | None = None


class SandboxCustomer(CnovaModel):
    name: str
    gender: str | None = None
    document_number: str = Field(repr=False)
    type: str | None = None
    email: str | None = None
    born_at: str | None = None
    billing: Address | None = None
    phones: SandboxPhones | None = None


class SandboxOrder(CnovaModel):
    """Body of the sandbox-only ``POST /orders`` (OrderSandbox)."""

    site: str | None = "EX"
    items: list[SandboxOrderItem] = Field(min_length=1)
    customer: SandboxCustomer
