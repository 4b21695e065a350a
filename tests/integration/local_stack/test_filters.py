"""Event filter patterns (FilterCriteria), as Lambda evaluates them."""

from __future__ import annotations

import pytest
from local_stack.filters import matches, matches_any

# one LocalStack per test session worker: keep this folder on one xdist worker
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]

RECORD = {
    "eventName": "MODIFY",
    "dynamodb": {"NewImage": {"kind": {"S": "sku"}, "price": {"N": "10"}}, "Keys": {"id": {"S": "A-1"}}},
    "n": 5,
    "tags": ["x", "y"],
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["MODIFY"]}, True),
        ({"eventName": ["INSERT"]}, False),
        ({"dynamodb": {"NewImage": {"kind": {"S": ["sku"]}}}}, True),
        ({"dynamodb": {"Keys": {"id": {"S": [{"prefix": "A-"}]}}}}, True),
        ({"dynamodb": {"Keys": {"id": {"S": [{"suffix": "-2"}]}}}}, False),
        ({"eventName": [{"anything-but": ["REMOVE"]}]}, True),
        ({"eventName": [{"anything-but": {"prefix": "MOD"}}]}, False),
        ({"n": [{"numeric": [">", 1, "<=", 5]}]}, True),
        ({"n": [{"numeric": [">", 5]}]}, False),
        ({"missing": [{"exists": False}]}, True),
        ({"dynamodb": {"OldImage": [{"exists": True}]}}, False),
        ({"tags": ["y"]}, True),
        ({"eventName": [{"equals-ignore-case": "modify"}]}, True),
        ({"$or": [{"eventName": ["INSERT"]}, {"n": [5]}]}, True),
    ],
)
def test_patterns(pattern: dict, expected: bool) -> None:
    # Given a record and a pattern; When matched; Then the outcome is Lambda's
    assert matches(pattern, RECORD) is expected


def test_no_filters_match_everything_and_filters_are_ored() -> None:
    # Given no filters, or two filters of which one matches; Then the record passes
    assert matches_any([], RECORD)
    assert matches_any([{"eventName": ["INSERT"]}, {"eventName": ["MODIFY"]}], RECORD)
    assert not matches_any([{"eventName": ["INSERT"]}], RECORD)
