"""Use cases of the product module: put/get/list products and patch a SKU, for one store."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError

from cnova_connector.catalogue import rules
from cnova_connector.catalogue.repository import (
    MAX_TRANSACTION_ITEMS,
    CatalogueRepository,
    ConcurrentChange,
    StoredProduct,
    is_conflict,
    now,
    product_sku_key,
    sku_values,
    status_key,
)
from cnova_connector.catalogue.schemas import CNOVA_STATUSES, ProductIn, SkuIn, SkuPatch, money
from cnova_connector.errors import Conflict, FieldProblem, InvalidInput, NotFound
from cnova_connector.observability import logger, metrics
from cnova_connector.storage.models import NameValue, ProductModel, SkuCnovaState, SkuModel

DEFAULT_PAGE = 20
MAX_PAGE = 100
PATCH_ATTEMPTS = 3


class CatalogueService:
    def __init__(self, store_id: str, repository: CatalogueRepository | None = None) -> None:
        self.store_id = store_id
        self.repo = repository or CatalogueRepository(store_id)

    # -------------------------------------------------------------- products

    def put_product(self, product_id: str, data: ProductIn) -> tuple[dict[str, Any], bool]:
        """Create or replace a product with its SKUs. Returns the product and whether it was created."""
        previous = self.repo.find_product(product_id)
        timestamp = now()
        before = {s.sku_id: s for s in previous.skus} if previous else {}

        # SKU ids are unique per store: a SKU of another product can't be taken over.
        new_ids = [s.sku_id for s in data.skus if s.sku_id not in before]
        taken = [
            FieldProblem(f"skus[{i}].skuId", f"SKU {s.sku_id!r} already belongs to product {s.product_id!r}")
            for s in self.repo.skus_by_ids(new_ids)
            for i, incoming in enumerate(data.skus)
            if incoming.sku_id == s.sku_id
        ]
        if taken:
            raise Conflict("some SKU ids already belong to other products; nothing was written", taken)

        keep = {s.sku_id for s in data.skus}
        removals = [s for s in previous.skus if s.sku_id not in keep] if previous else []
        at_cnova = [s for s in removals if s.cnova.status != "notSent"]
        if at_cnova:
            raise Conflict(
                "some SKUs left out of this product were already sent to Cnova; nothing was written",
                [
                    FieldProblem(
                        "skus",
                        f"SKU {s.sku_id!r} is {s.cnova.status} at Cnova: "
                        "keep it and set its stock to 0 instead",
                    )
                    for s in at_cnova
                ],
            )

        upserts: list[tuple[SkuModel, SkuModel | None]] = []
        for position, incoming in enumerate(data.skus):
            old = before.get(incoming.sku_id)
            sku = self._sku_model(product_id, position, incoming, old, timestamp)
            if old is None or _sku_content(sku) != _sku_content(old):
                upserts.append((sku, old))

        actions = 1 + len(upserts) + len(removals)
        if actions > MAX_TRANSACTION_ITEMS:
            raise InvalidInput(
                f"this request changes {actions - 1} SKUs at once; at most {MAX_TRANSACTION_ITEMS - 1} "
                "can change in one request: send the change in two steps",
                [FieldProblem("skus", "too many SKU additions, changes and removals in one request")],
            )

        product = ProductModel(
            self.store_id,
            product_id,
            title=data.title,
            description=data.description,
            brand=data.brand,
            category_path=data.category_path,
            images=list(data.images),
            videos=list(data.videos),
            attributes=[NameValue(name=a.name, value=a.value) for a in data.attributes],
            sku_ids=[s.sku_id for s in data.skus],
            revision=(int(previous.product.revision) + 1) if previous else 1,
            created_at=previous.product.created_at if previous else timestamp,
            updated_at=timestamp,
        )
        try:
            self.repo.save_product(product, previous, upserts, removals)
        except TransactWriteError as exc:
            if is_conflict(exc):
                raise Conflict(
                    f"product {product_id!r} or one of its SKUs changed while saving; "
                    "nothing was written, retry"
                ) from exc
            raise
        saved = {s.sku_id: s for s in (previous.skus if previous else [])}
        saved.update({sku.sku_id: sku for sku, _ in upserts})
        skus = [saved[s.sku_id] for s in data.skus]
        metrics.add_metric(name="ProductsSaved", unit="Count", value=1)
        changed = sum(1 for sku, old in upserts if old is None or sku.version != old.version)
        if changed:
            metrics.add_metric(name="SkuChanges", unit="Count", value=changed)
        logger.info(
            "product saved",
            extra={
                "store_id": self.store_id,
                "product_id": product_id,
                "skus": len(skus),
                "changed": changed,
            },
        )
        return product_view(StoredProduct(product, skus)), previous is None

    def get_product(self, product_id: str) -> dict[str, Any]:
        stored = self.repo.find_product(product_id)
        if stored is None:
            raise NotFound(f"no product {product_id!r} in this store")
        return product_view(stored)

    def list_products(
        self, *, cnova_status: str | None, cursor: str | None, limit: str | int | None
    ) -> dict[str, Any]:
        size = _page_size(limit)
        if cnova_status is not None and cnova_status not in CNOVA_STATUSES:
            raise InvalidInput(
                "unknown Cnova status",
                [FieldProblem("cnovaStatus", f"must be one of {', '.join(CNOVA_STATUSES)}")],
            )
        position = rules.decode_cursor(cursor, {"after"})
        after = position["after"] if position else None
        if cnova_status is None:
            products, more = self.repo.product_page(size, after)
        else:
            ids, more = self.repo.product_ids_with_status(cnova_status, size, after)
            products = self.repo.products_by_ids(ids)
        # one batched read for the SKUs of the whole page, not one per product
        skus = {s.sku_id: s for s in self.repo.skus_by_ids([i for p in products for i in p.sku_ids])}
        items = [product_view(StoredProduct(p, [skus[i] for i in p.sku_ids if i in skus])) for p in products]
        next_cursor = rules.encode_cursor({"after": products[-1].product_id}) if more and products else None
        return {"items": items, "nextCursor": next_cursor}

    # -------------------------------------------------------------- SKUs

    def patch_sku(self, sku_id: str, patch: SkuPatch) -> dict[str, Any]:
        changes = {name: getattr(patch, name) for name in patch.model_fields_set}
        for attempt in range(PATCH_ATTEMPTS):
            sku = self.repo.get_sku(sku_id)
            before = sku_values(sku)
            after = rules.apply_patch(before, changes)
            if after == before:
                return sku_view(sku)
            version = rules.next_version(int(sku.version), before, after)
            try:
                self.repo.update_sku(sku, after, version)
            except ConcurrentChange:
                if attempt == PATCH_ATTEMPTS - 1:
                    raise
                continue
            metrics.add_metric(name="SkuChanges", unit="Count", value=1)
            logger.info(
                "sku changed", extra={"store_id": self.store_id, "sku_id": sku_id, "version": version}
            )
            return sku_view(sku)  # update() refreshed it with what DynamoDB now holds
        raise AssertionError("unreachable")  # pragma: no cover

    # -------------------------------------------------------------- mapping

    def _sku_model(
        self, product_id: str, position: int, incoming: SkuIn, old: SkuModel | None, timestamp: Any
    ) -> SkuModel:
        values = rules.SkuValues(
            incoming.price, incoming.offer_price, incoming.stock, incoming.cross_docking_days
        )
        cnova = old.cnova if old is not None else SkuCnovaState(status="notSent", errors=[])
        version = rules.next_version(int(old.version), sku_values(old), values) if old is not None else 1
        return SkuModel(
            self.store_id,
            incoming.sku_id,
            product_id=product_id,
            position=position,
            gtin=incoming.gtin,
            price=incoming.price,
            offer_price=incoming.offer_price,
            stock=incoming.stock,
            cross_docking_days=incoming.cross_docking_days,
            weight_kg=incoming.weight_kg,
            length_m=incoming.length_m,
            width_m=incoming.width_m,
            height_m=incoming.height_m,
            attributes=[NameValue(name=a.name, value=a.value) for a in incoming.attributes],
            version=version,
            cnova=cnova,
            updated_at=timestamp,  # written only when its content changed (see put_product)
            store_product=f"{self.store_id}#{product_id}",
            store_cnova_status=status_key(self.store_id, cnova.status),
            product_sku=product_sku_key(product_id, incoming.sku_id),
        )


def _page_size(limit: str | int | None) -> int:
    if limit is None or limit == "":
        return DEFAULT_PAGE
    try:
        size = int(limit)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_PAGE:
        raise InvalidInput(
            "bad page size", [FieldProblem("limit", f"must be a whole number from 1 to {MAX_PAGE}")]
        )
    return size


_CONTENT_FIELDS = (
    "product_id",
    "position",
    "gtin",
    "price",
    "offer_price",
    "stock",
    "cross_docking_days",
    "weight_kg",
    "length_m",
    "width_m",
    "height_m",
)


def _sku_content(sku: SkuModel) -> tuple[Any, ...]:
    return (
        *(getattr(sku, f) for f in _CONTENT_FIELDS),
        tuple((a.name, a.value) for a in sku.attributes),
    )


def sku_view(sku: SkuModel) -> dict[str, Any]:
    cnova = sku.cnova
    return {
        "skuId": sku.sku_id,
        "productId": sku.product_id,
        "gtin": sku.gtin,
        "price": money(sku.price),
        "offerPrice": money(sku.offer_price),
        "stock": int(sku.stock),
        "crossDockingDays": int(sku.cross_docking_days),
        "weightKg": money(sku.weight_kg),
        "lengthM": money(sku.length_m),
        "widthM": money(sku.width_m),
        "heightM": money(sku.height_m),
        "attributes": [{"name": a.name, "value": a.value} for a in sku.attributes],
        "version": int(sku.version),
        "updatedAt": sku.updated_at.isoformat(),
        "cnova": {
            "status": cnova.status,
            "statusAt": cnova.status_at.isoformat() if cnova.status_at else None,
            "errors": [{"code": e.name, "message": e.value} for e in (cnova.errors or [])],
            "lastSync": cnova.last_sync.as_dict() if cnova.last_sync is not None else None,
        },
    }


def product_view(stored: StoredProduct) -> dict[str, Any]:
    p = stored.product
    return {
        "productId": p.product_id,
        "title": p.title,
        "description": p.description,
        "brand": p.brand,
        "categoryPath": p.category_path,
        "images": list(p.images or []),
        "videos": list(p.videos or []),
        "attributes": [{"name": a.name, "value": a.value} for a in (p.attributes or [])],
        "createdAt": p.created_at.isoformat(),
        "updatedAt": p.updated_at.isoformat(),
        "skus": [sku_view(s) for s in stored.skus],
    }
