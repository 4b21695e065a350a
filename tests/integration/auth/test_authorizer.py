"""The Lambda authorizer: a bearer token names exactly one active store."""

from __future__ import annotations

from typing import Any

import pytest

from cnova_connector.stores.credentials import CnovaCredentials, get_cnova_credentials
from tests.integration.conftest import AwsStack
from tests.support.aws import load_handler
from tests.support.events import ACCOUNT, API_ID, REGION, STAGE, FakeLambdaContext, token_authorizer_event


def authorize(handler: Any, header: str) -> dict[str, Any]:
    return handler.lambda_handler(token_authorizer_event(header), FakeLambdaContext())  # type: ignore[no-any-return]


@pytest.fixture
def authorizer(aws_stack: AwsStack) -> Any:
    return load_handler("authorizer")


def test_a_stores_token_is_allowed_on_every_route_with_the_store_in_the_context(
    aws_stack: AwsStack, authorizer: Any
) -> None:
    # Given a store and its token
    store_id, token = aws_stack.new_store("Loja A")

    # When the authorizer sees "Bearer <token>"
    result = authorize(authorizer, f"Bearer {token}")

    # Then it allows every route of this API stage (the result is cached per token) for that store
    assert result["principalId"] == store_id
    assert result["context"] == {"storeId": store_id}
    statement = result["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == [f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}/{STAGE}/*/*"]


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nope", "Basic abc", "cnv_abc"])
def test_missing_malformed_or_unknown_tokens_are_unauthorized(
    aws_stack: AwsStack, authorizer: Any, header: str
) -> None:
    aws_stack.new_store("Loja A")
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, header)


def test_a_disabled_store_is_refused_and_enabled_again_is_allowed(
    aws_stack: AwsStack, authorizer: Any
) -> None:
    store_id, token = aws_stack.new_store("Loja A")
    aws_stack.admin.set_status(store_id, "disabled")
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, f"Bearer {token}")
    aws_stack.admin.set_status(store_id, "active")
    assert authorize(authorizer, f"Bearer {token}")["principalId"] == store_id


def test_rotating_a_token_revokes_the_old_one(aws_stack: AwsStack, authorizer: Any) -> None:
    # Given a store's token, rotated
    store_id, old = aws_stack.new_store("Loja A")
    new = aws_stack.admin.rotate_token(store_id).token

    # Then the new token works and the old one no longer does
    assert authorize(authorizer, f"Bearer {new}")["principalId"] == store_id
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, f"Bearer {old}")
    # and the store lists one token, by its hint only
    assert aws_stack.admin.get_store(store_id).token_hints == (new[:8] + "…",)


def test_tokens_are_stored_only_as_hashes(aws_stack: AwsStack) -> None:
    import boto3

    _, token = aws_stack.new_store("Loja A")
    items = boto3.client("dynamodb").scan(TableName=aws_stack.settings.api_tokens_table)["Items"]
    assert len(items) == 1
    assert token not in str(items)


def test_cnova_credentials_are_kept_in_secrets_manager_and_read_through_the_cache(
    aws_stack: AwsStack,
) -> None:
    # Given a store created with Cnova credentials
    store_id, _ = aws_stack.new_store("Loja A", client_id="app-1", access_token="secret-1")
    prefix = aws_stack.settings.secrets_prefix

    # When they are read, then replaced
    first = get_cnova_credentials(prefix, store_id, max_age=300)
    aws_stack.admin.set_credentials(store_id, CnovaCredentials(client_id="app-1", access_token="secret-2"))
    cached = get_cnova_credentials(prefix, store_id, max_age=300)
    fresh = get_cnova_credentials(prefix, store_id, force_fetch=True)

    # Then the first read is served from cache until max_age, and a forced read sees the new token
    assert (first.client_id, first.access_token) == ("app-1", "secret-1")
    assert cached.access_token == "secret-1"
    assert fresh.access_token == "secret-2"
    assert "secret" not in repr(fresh)
