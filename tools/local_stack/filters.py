"""Event filtering as Lambda event source mappings do it (EventBridge pattern syntax).

Supported: exact values (strings, numbers, booleans, null), ``prefix``, ``suffix``,
``equals-ignore-case``, ``anything-but`` (value, list, or ``{"prefix": ...}``), ``numeric``
(``[">", 0, "<=", 5]``), ``exists``, ``wildcard``, nested objects, arrays in the event (any element
matches) and ``$or``. Filters of one mapping are OR'ed; no filters means everything matches.
"""

from __future__ import annotations

import fnmatch
import operator
from collections.abc import Iterable
from typing import Any

_MISSING = object()
_NUMERIC_OPS = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">": operator.gt, ">=": operator.ge}


def matches_any(patterns: Iterable[dict[str, Any]], event: Any) -> bool:
    patterns = list(patterns)
    return not patterns or any(matches(p, event) for p in patterns)


def matches(pattern: dict[str, Any], event: Any) -> bool:
    for key, rule in pattern.items():
        if key == "$or":
            if not any(matches(p, event) for p in rule):
                return False
            continue
        value = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(rule, dict):
            if not isinstance(value, dict) or not matches(rule, value):
                return False
        elif isinstance(rule, list):
            if not _match_rules(rule, value):
                return False
        elif not _match_rules([rule], value):
            return False
    return True


def _match_rules(rules: list[Any], value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, dict) and "exists" in rule:
            present = value is not _MISSING
            if present == bool(rule["exists"]):
                return True
            continue
        if any(v is not _MISSING and _match_one(rule, v) for v in values):
            return True
    return False


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _match_one(rule: Any, v: Any) -> bool:
    if not isinstance(rule, dict):
        if _is_number(rule) and _is_number(v):
            return float(rule) == float(v)
        return bool(rule == v and type(rule) is type(v)) or (rule is None and v is None)
    ((op, arg),) = rule.items()
    if op == "prefix":
        if isinstance(arg, dict):  # {"prefix": {"equals-ignore-case": "x"}}
            return isinstance(v, str) and v.lower().startswith(str(arg.get("equals-ignore-case", "")).lower())
        return isinstance(v, str) and v.startswith(arg)
    if op == "suffix":
        if isinstance(arg, dict):
            return isinstance(v, str) and v.lower().endswith(str(arg.get("equals-ignore-case", "")).lower())
        return isinstance(v, str) and v.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(v, str) and v.lower() == str(arg).lower()
    if op == "wildcard":
        return isinstance(v, str) and fnmatch.fnmatchcase(v, arg)
    if op == "anything-but":
        if isinstance(arg, dict):
            return not _match_one(arg, v)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_match_one(x, v) for x in excluded)
    if op == "numeric":
        if not _is_number(v):
            return False
        return all(_NUMERIC_OPS[arg[i]](float(v), float(arg[i + 1])) for i in range(0, len(arg), 2))
    raise ValueError(f"unsupported filter operator {op!r}")
