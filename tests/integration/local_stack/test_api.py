"""The storefront-style API: routes, path/query parameters, the TOKEN authorizer, gateway responses."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
import requests
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from local_stack.apigw import ApiServer
from local_stack.resources import Api
from local_stack.stack import LocalStack
from local_stack.template import RouteDef
from local_stack.workers import InvokeOutcome

from .conftest import Recorded

# one LocalStack per test session worker: keep this folder on one xdist worker
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]


@pytest.fixture(scope="module")
def api(local_stack: LocalStack) -> str:
    return local_stack.api_url


def test_an_authorized_route_gets_path_query_and_the_authorizer_context(api: str) -> None:
    # Given a token the authorizer allows
    headers = {"Authorization": "Bearer allow-store-1"}

    # When a route with a path parameter and a repeated query string is called
    response = requests.get(f"{api}/items/sku-9?color=blue&size=P&size=M", headers=headers, timeout=30)

    # Then the function got the REST proxy event, with the authorizer's principal and context
    assert response.status_code == 200
    body = response.json()
    assert body["resource"] == "/items/{itemId}"
    assert body["path"] == "/items/sku-9"
    assert body["pathParameters"] == {"itemId": "sku-9"}
    assert body["queryStringParameters"] == {"color": "blue", "size": "M"}
    assert body["multiValueQueryStringParameters"] == {"color": ["blue"], "size": ["P", "M"]}
    assert body["authorizer"]["principalId"] == "store-1"
    assert body["authorizer"]["storeId"] == "store-1"
    assert body["authorizer"]["n"] == "3"  # API Gateway passes context values as strings
    assert body["stage"] == "test"
    assert body["greeting"] == "hello"
    # and the function's headers, multi-value headers and status come back
    assert response.headers["X-Handler"] == "api"
    assert response.headers["Content-Type"] == "application/json"
    assert response.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    # and the whole event is a valid API Gateway REST proxy event (Powertools' model of it)
    parsed = APIGatewayProxyEventModel.model_validate(body["event"])
    assert parsed.requestContext.identity.sourceIp is not None
    assert parsed.requestContext.authorizer is not None


def test_a_missing_or_rejected_token_gets_the_unauthorized_gateway_response(api: str) -> None:
    # Given no token, and a token the authorizer rejects with "Unauthorized"
    # When the authorized route is called
    missing = requests.get(f"{api}/items/1", timeout=30)
    wrong = requests.get(f"{api}/items/1", headers={"Authorization": "Bearer nope"}, timeout=30)

    # Then both get the template's UNAUTHORIZED response (status, template, header)
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json() == {"error": {"code": "unauthorized"}}
        assert response.headers["X-Gateway-Response"] == "unauthorized"


def test_a_deny_policy_or_a_policy_for_another_route_is_forbidden(api: str) -> None:
    # Given a token whose policy denies, and one whose policy allows only GET /health
    # When the authorized route is called
    deny = requests.get(f"{api}/items/1", headers={"Authorization": "Bearer deny"}, timeout=30)
    narrow = requests.get(f"{api}/items/1", headers={"Authorization": "Bearer narrow"}, timeout=30)

    # Then both get the template's ACCESS_DENIED response
    for response in (deny, narrow):
        assert response.status_code == 403
        assert response.json() == {"error": {"code": "forbidden"}}


def test_an_authorizer_error_is_an_authorizer_failure(api: str) -> None:
    # Given a token that makes the authorizer raise; When called; Then 500 (AUTHORIZER_FAILURE default)
    response = requests.get(f"{api}/items/1", headers={"Authorization": "Bearer boom"}, timeout=30)
    assert response.status_code == 500
    assert response.json() == {"message": None}


def test_the_policy_is_cached_per_token_for_the_authorizer_ttl(api: str, recorded: Recorded) -> None:
    # Given a fresh token
    token = f"Bearer allow-{uuid.uuid4().hex[:8]}"

    # When it is used twice (on two different paths)
    first = requests.get(f"{api}/items/1", headers={"Authorization": token}, timeout=30)
    second = requests.get(f"{api}/items/2", headers={"Authorization": token}, timeout=30)

    # Then both pass and the authorizer ran once (ReauthorizeEvery: 30)
    assert (first.status_code, second.status_code) == (200, 200)
    assert len([r for r in recorded.items("auth") if r["token"] == token]) == 1


def test_the_auth_none_route_needs_no_token_and_the_stage_prefix_is_accepted(api: str) -> None:
    # Given the /health route declared with Auth: NONE; When called without a token
    plain = requests.get(f"{api}/health", timeout=30)
    staged = requests.get(f"{api}/test/health", timeout=30)

    # Then it answers, and no authorizer context is passed
    assert plain.status_code == 200
    assert plain.json()["authorizer"] is None
    assert staged.status_code == 200


def test_unknown_routes_and_methods_get_missing_authentication_token(api: str) -> None:
    # Given paths/methods the template does not declare; When called
    unknown = requests.get(f"{api}/nothing/here", timeout=30)
    wrong_method = requests.delete(f"{api}/health", timeout=30)

    # Then API Gateway's default 403 answer
    for response in (unknown, wrong_method):
        assert response.status_code == 403
        assert response.json() == {"message": "Missing Authentication Token"}


def test_cors_preflight_is_answered_by_the_mock_integration(api: str) -> None:
    # Given the API's Cors settings; When a browser sends a preflight (no token)
    response = requests.options(f"{api}/items/1", headers={"Origin": "http://shop.example"}, timeout=30)

    # Then the mock integration answers with the CORS headers
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization"


def test_a_function_error_is_a_502_and_the_body_reaches_the_function(api: str) -> None:
    # Given an allowed token
    headers = {"Authorization": "Bearer allow-s2"}

    # When the crashing route is called with a body
    response = requests.post(f"{api}/items/1/crash", headers=headers, json={"a": 1}, timeout=30)

    # Then API Gateway's 502
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


def test_the_local_control_surface_lists_the_stack(api: str) -> None:
    # Given the running stack; When /_local/stack is read; Then it lists what the template declares
    body = requests.get(f"{api}/_local/stack", timeout=30).json()
    assert "ScheduledFunctionHourly" in body["schedules"]
    assert "GET /items/{itemId}" in body["routes"]


def test_a_request_authorizer_on_a_second_api_with_a_greedy_path(api: str) -> None:
    # Given the partner API (REQUEST authorizer on a header and a query string, route ANY /partner/{proxy+})
    # When it is called with matching, mismatching and missing identity sources
    ok = requests.post(
        f"{api}/partner/a/b/c?tenant=t1", headers={"X-Api-Key": "key-t1"}, data="hello", timeout=30
    )
    wrong = requests.post(f"{api}/partner/a?tenant=t1", headers={"X-Api-Key": "key-t2"}, timeout=30)
    missing = requests.post(f"{api}/partner/a", headers={"X-Api-Key": "key-t1"}, timeout=30)

    # Then the authorized call gets the greedy path parameter, its body and the context
    assert ok.status_code == 200
    body = ok.json()
    assert body["resource"] == "/partner/{proxy+}"
    assert body["pathParameters"] == {"proxy": "a/b/c"}
    assert body["body"] == "hello"
    assert body["httpMethod"] == "POST"
    assert body["stage"] == "partner"
    assert body["authorizer"]["tenant"] == "t1"
    assert body["authorizer"]["path"] == "/partner/a/b/c"
    # and the others get API Gateway's default 401 (this API defines no gateway responses)
    for response in (wrong, missing):
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}


def test_a_function_can_be_invoked_directly_through_the_control_surface(api: str) -> None:
    # Given the scheduled function; When invoked with an event through /_local/functions
    ok = requests.post(f"{api}/_local/functions/ScheduledFunction/invoke", json={"direct": True}, timeout=30)
    failing = requests.post(
        f"{api}/_local/functions/ScheduledFunction/invoke", json={"fail": True}, timeout=30
    )

    # Then the result, or Lambda's error payload, comes back
    assert ok.json()["ok"] is True and ok.json()["result"] == {"ok": True}
    assert failing.json()["ok"] is False
    assert failing.json()["error"]["errorType"] == "RuntimeError"
    assert failing.json()["error"]["errorMessage"] == "schedule failure requested"


def test_routes_match_the_most_specific_resource_first_then_its_method() -> None:
    # Given routes that overlap: a greedy ANY, a parameter and a literal under the same prefix
    routes = [
        RouteDef("ANY", "/{proxy+}", "Fallback", None, "Api"),
        RouteDef("GET", "/products/{productId}", "GetOne", None, "Api"),
        RouteDef("GET", "/products/export", "Export", None, "Api"),
        RouteDef("ANY", "/products/{productId}/skus", "Skus", None, "Api"),
    ]
    api_def = Api("Api", "abc123", "prod", routes, {}, {})
    stack = SimpleNamespace(apis={"Api": api_def}, region="us-east-1", account_id="123456789012")
    server = ApiServer(stack, lambda f, e: InvokeOutcome(True), port=0)  # type: ignore[arg-type]
    try:
        # When requests are matched; Then API Gateway's choice is made
        def pick(method: str, path: str) -> tuple[str | None, dict[str, str]]:
            _, route, params = server._match(method, path)
            return (route.function_id if route else None), params

        assert pick("GET", "/products/export") == ("Export", {})
        assert pick("GET", "/products/p1") == ("GetOne", {"productId": "p1"})
        assert pick("DELETE", "/products/p1/skus") == ("Skus", {"productId": "p1"})
        assert pick("POST", "/anything/else") == ("Fallback", {"proxy": "anything/else"})
        # the resource /products/{productId} exists but has no PUT: no fallback to the greedy route
        assert pick("PUT", "/products/p1") == (None, {})
    finally:
        server.stop()
