"""Sandbox configuration: one Pydantic model, changed with ``PUT /_sandbox/config`` (any subset)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cnova_sandbox.errors import ApiError, error_item

ORDER_LISTS = ("new", "approved", "sent", "partiallySent", "delivered", "partiallyDelivered", "canceled")

_UNIT: dict[str, int] = {"limit": 300, "windowSeconds": 60}
_ORDER_LIST: dict[str, int] = {"limit": 2, "windowSeconds": 60}

# cnova-api.md §8 (v1 table, 2015) translated to the v2 paths. Keys are "<METHOD> <path template>".
DEFAULT_RATE_LIMITS: dict[str, dict[str, int]] = {
    "PUT /sellerItems/{skuSellerId}/stock": _UNIT,
    "PUT /sellerItems/{skuSellerId}/prices": _UNIT,
    "PUT /sellerItems/{skuSellerId}/status": _UNIT,
    "GET /sellerItems/{skuSellerId}": _UNIT,
    "GET /sellerItems": {"limit": 3, "windowSeconds": 60},
    "GET /sellerItems/status/selling": {"limit": 3, "windowSeconds": 60},
    "GET /loads/products/{skuSellerId}": _UNIT,
    "POST /orders/{orderId}/trackings/sent": _UNIT,
    "POST /orders/{orderId}/trackings/delivered": _UNIT,
    "POST /orders/{orderId}/trackings/cancel": _UNIT,
    "GET /orders/{orderId}": _UNIT,
    "GET /orders/{orderId}/items/{skuSellerId}": _UNIT,
    "GET /orders": _ORDER_LIST,
    **{f"GET /orders/status/{name}": _ORDER_LIST for name in ORDER_LISTS},
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RateLimitRule(_Strict):
    limit: int = Field(ge=0)
    windowSeconds: float = Field(gt=0)


class Faults(_Strict):
    rate429: float = Field(0.0, ge=0, le=1)
    rate5xx: float = Field(0.0, ge=0, le=1)
    rate5xxAfterApply: float = Field(0.0, ge=0, le=1)
    timeoutRate: float = Field(0.0, ge=0, le=1)
    timeoutMs: int = Field(2000, ge=0, le=120_000)
    latencyMs: int = Field(0, ge=0, le=60_000)

    @model_validator(mode="after")
    def _rates_sum(self) -> Faults:
        total = self.rate429 + self.rate5xx + self.rate5xxAfterApply + self.timeoutRate
        if total > 1.0 + 1e-9:
            raise ValueError("rate429 + rate5xx + rate5xxAfterApply + timeoutRate must not exceed 1")
        return self


class Limits(_Strict):
    defaultLimit: int = Field(20, ge=1)
    ordersMaxLimit: int = Field(50, ge=1)
    defaultMaxLimit: int = Field(100, ge=1)
    bulkMaxItems: int = Field(1000, ge=1)
    maxBodyBytes: int = Field(1_048_576, ge=1)
    titleMaxLength: int = Field(150, ge=1)
    requestLogSize: int = Field(5000, ge=1)


class SandboxConfig(_Strict):
    reviewDelaySeconds: float = Field(10.0, ge=0)
    autoApprove: bool = True
    onlyTestCategoryApproved: bool = False
    orderIndexDelaySeconds: float = Field(5.0, ge=0)
    bulkDelaySeconds: float = Field(2.0, ge=0)
    sites: list[str] = Field(default_factory=lambda: ["EX", "PF", "CB"], min_length=1)
    defaultWarehouse: int = 2273
    limits: Limits = Field(default_factory=Limits)
    rateLimits: dict[str, RateLimitRule] = Field(
        default_factory=lambda: {k: RateLimitRule.model_validate(v) for k, v in DEFAULT_RATE_LIMITS.items()}
    )
    faults: Faults = Field(default_factory=Faults)
    seed: int | None = None


def default_config() -> SandboxConfig:
    return SandboxConfig()


def apply_update(current: SandboxConfig, patch: Any, known_rules: set[str]) -> SandboxConfig:
    """Merge a partial update. ``limits`` and ``faults`` merge key by key; ``rateLimits`` merge rule
    by rule and a rule set to ``null`` is removed (no limit)."""
    if not isinstance(patch, dict):
        raise ApiError(400, "InvalidConfig", "the config body must be a JSON object", "ValidationError")
    merged = current.model_dump()
    for key, value in patch.items():
        if key in ("limits", "faults") and isinstance(value, dict):
            merged[key] = {**merged[key], **value}
        elif key == "rateLimits" and isinstance(value, dict):
            rules = dict(merged["rateLimits"])
            for rule_key, rule in value.items():
                if rule_key not in known_rules:
                    raise ApiError(
                        400,
                        "UnknownRateLimitRule",
                        f"unknown rate-limit rule {rule_key!r}; "
                        "use '<METHOD> <path template>' of an API route",
                        "ValidationError",
                    )
                if rule is None:
                    rules.pop(rule_key, None)
                elif isinstance(rule, dict) and rule_key in rules:
                    rules[rule_key] = {**rules[rule_key], **rule}
                else:
                    rules[rule_key] = rule
            merged["rateLimits"] = rules
        else:
            merged[key] = value
    try:
        return SandboxConfig.model_validate(merged)
    except ValidationError as exc:
        items = [
            error_item(
                "InvalidConfig",
                400,
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}",
                "ValidationError",
            )
            for err in exc.errors()
        ]
        raise ApiError(400, "InvalidConfig", "invalid config", "ValidationError", items=items) from exc
