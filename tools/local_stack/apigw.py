"""The template's REST APIs on one local HTTP server, as API Gateway would serve them.

Routes, authorizers and gateway responses come from the RestApi ``Body`` the SAM transform
produced. A request is matched (most specific path first, exact method before ``ANY``), authorized
(TOKEN or REQUEST Lambda authorizer, policy cached per identity for the authorizer's TTL and
evaluated against the method ARN), turned into the REST proxy v1 event, and the function's
response is returned as API Gateway would.

Local control routes (not API Gateway) live under ``/_local/``:
``POST /_local/schedules/<LogicalId>/tick`` (optional JSON body replaces the input),
``POST /_local/functions/<LogicalId>/invoke`` (body = event) and ``GET /_local/stack``.
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from local_stack.resources import Api, DeployedStack
from local_stack.template import AuthorizerDef, GatewayResponseDef, RouteDef
from local_stack.workers import InvokeOutcome

log = logging.getLogger("local_stack.api")

Invoke = Callable[[str, Any], InvokeOutcome]
Tick = Callable[[str, Any], InvokeOutcome]

LAMBDA_API_PREFIX = "/2015-03-31/functions/"

_DEFAULT_RESPONSES: dict[str, tuple[int, str | None]] = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource"),
    "AUTHORIZER_FAILURE": (500, None),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "BAD_GATEWAY": (502, "Internal server error"),
}


@dataclass
class _CachedPolicy:
    expires: float
    principal_id: str
    statements: list[dict[str, Any]]
    context: dict[str, Any]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def policy_decision(statements: list[dict[str, Any]], method_arn: str) -> str:
    """ "Allow", "Deny" (explicit) or "None" for a method ARN under an IAM-style policy."""
    allowed = False
    for st in statements:
        actions = [str(a) for a in _as_list(st.get("Action"))]
        if not any(
            a in ("*", "execute-api:*", "execute-api:Invoke") or fnmatch.fnmatchcase("execute-api:Invoke", a)
            for a in actions
        ):
            continue
        resources = [str(r) for r in _as_list(st.get("Resource"))]
        if not any(fnmatch.fnmatchcase(method_arn, r) for r in resources):
            continue
        effect = str(st.get("Effect", "")).capitalize()
        if effect == "Deny":
            return "Deny"
        if effect == "Allow":
            allowed = True
    return "Allow" if allowed else "None"


def _stringify(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class ApiServer:
    def __init__(
        self,
        stack: DeployedStack,
        invoke: Invoke,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        tick: Tick | None = None,
    ) -> None:
        self.stack = stack
        self.invoke = invoke
        self.tick = tick
        self.host = host
        self._routes: list[tuple[Api, RouteDef]] = []
        for api in stack.apis.values():
            for route in api.routes:
                self._routes.append((api, route))
        # most specific first: more literal segments, fewer greedy params, exact method before ANY
        self._routes.sort(key=lambda ar: self._specificity(ar[1]))
        self._resources: list[tuple[Api, str, re.Pattern[str]]] = []
        for api, route in self._routes:
            if not any(a is api and p == route.path for a, p, _ in self._resources):
                self._resources.append((api, route.path, route.pattern))
        self._cache: dict[tuple[str, str], _CachedPolicy] = {}
        self._cache_lock = threading.Lock()
        self._server: BaseWSGIServer = make_server(host, port, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @staticmethod
    def _specificity(route: RouteDef) -> tuple[int, int, int, int]:
        segs = route.path.strip("/").split("/")
        params = sum(1 for s in segs if s.startswith("{"))
        greedy = sum(1 for s in segs if s.endswith("+}"))
        return (greedy, params, -len(segs), 1 if route.method == "ANY" else 0)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="api", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for serve_forever(), which must be running
            self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # ------------------------------------------------------------------------------- WSGI
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        started = time.monotonic()
        try:
            response, label = self._handle(request)
        except Exception:
            log.exception("api: %s %s crashed", request.method, request.path)
            response, label = self._json(500, {"message": "local stack error"}), "error"
        log.info(
            "%s %s → %d (%s, %d ms)",
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            label,
            (time.monotonic() - started) * 1000,
        )
        return response(environ, start_response)

    @staticmethod
    def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")

    def _handle(self, request: Request) -> tuple[Response, str]:
        if request.path.startswith("/_local/"):
            return self._local(request), "local"
        if request.path.startswith(LAMBDA_API_PREFIX) and request.method == "POST":
            return self._lambda_invoke(request)
        api, route, params = self._match(request.method, request.path)
        if api is None or route is None:
            apis = list(self.stack.apis.values())
            return self._gateway_response(
                apis[0] if apis else None, "MISSING_AUTHENTICATION_TOKEN"
            ), "no route"
        request_id = str(uuid.uuid4())
        method_arn = (
            f"arn:aws:execute-api:{self.stack.region}:{self.stack.account_id}:{api.api_id}/{api.stage}/"
            f"{request.method}{route_path_for_arn(request.path)}"
        )
        authorizer_ctx: dict[str, Any] | None = None
        if route.authorizer is not None:
            auth = api.authorizers[route.authorizer]
            denial, authorizer_ctx = self._authorize(
                api, auth, route, request, params, method_arn, request_id
            )
            if denial is not None:
                return denial, f"{auth.function_id} denied"
        if route.mock is not None:
            mock = route.mock
            response = Response(mock.body, status=mock.status_code, content_type="application/json")
            for name, value in mock.headers.items():
                response.headers[name] = value
            return response, "mock"
        event = self._event(api, route, request, params, request_id, authorizer_ctx)
        outcome = self.invoke(route.function_id, event)
        if not outcome.ok:
            return self._gateway_response(api, "BAD_GATEWAY", status=502), f"{route.function_id} error"
        return self._proxy_response(api, outcome.result), route.function_id

    def _match(self, method: str, path: str) -> tuple[Api | None, RouteDef | None, dict[str, str]]:
        candidates = [path]
        for api in self.stack.apis.values():  # also accept /<stage>/... like the real URL
            prefix = f"/{api.stage}/"
            if path.startswith(prefix):
                candidates.append(path[len(prefix) - 1 :])
        for candidate in candidates:
            # API Gateway picks the resource (most specific path) first, then its method
            for api, path, pattern in self._resources:
                m = pattern.match(candidate)
                if not m:
                    continue
                methods = {r.method: r for a, r in self._routes if a is api and r.path == path}
                route = methods.get(method) or methods.get("ANY")
                if route is None:
                    return None, None, {}
                return api, route, dict(m.groupdict())
        return None, None, {}

    # ------------------------------------------------------------------------------- authorizer
    def _identity(self, auth: AuthorizerDef, request: Request) -> str | None:
        values = []
        for src in auth.identity_sources:
            value: str | None = None
            if src.startswith("method.request.header."):
                value = request.headers.get(src.removeprefix("method.request.header."))
            elif src.startswith("method.request.querystring."):
                value = request.args.get(src.removeprefix("method.request.querystring."))
            elif src.startswith("context.") or src.startswith("stageVariables."):
                value = src
            if not value:
                return None
            values.append(value)
        return "\x00".join(values) if values else ""

    def _authorize(
        self,
        api: Api,
        auth: AuthorizerDef,
        route: RouteDef,
        request: Request,
        params: dict[str, str],
        method_arn: str,
        request_id: str,
    ) -> tuple[Response | None, dict[str, Any] | None]:
        identity = self._identity(auth, request)
        if identity is None:
            return self._gateway_response(api, "UNAUTHORIZED"), None
        key = (auth.name, identity)
        now = time.monotonic()
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None and cached.expires < now:
                cached = None
        if cached is None:
            if auth.type == "TOKEN":
                event: dict[str, Any] = {
                    "type": "TOKEN",
                    "authorizationToken": request.headers.get(auth.identity_header or "Authorization", ""),
                    "methodArn": method_arn,
                }
            else:
                event = self._event(api, route, request, params, request_id, None)
                event = {"type": "REQUEST", "methodArn": method_arn, **event}
            outcome = self.invoke(auth.function_id, event)
            if not outcome.ok:
                if outcome.error_message == "Unauthorized":
                    return self._gateway_response(api, "UNAUTHORIZED"), None
                return self._gateway_response(api, "AUTHORIZER_FAILURE"), None
            result = outcome.result
            if (
                not isinstance(result, dict)
                or "principalId" not in result
                or not isinstance(result.get("policyDocument"), dict)
            ):
                log.warning("%s returned no principalId/policyDocument", auth.function_id)
                return self._gateway_response(api, "AUTHORIZER_CONFIGURATION_ERROR"), None
            cached = _CachedPolicy(
                expires=now + auth.ttl_seconds,
                principal_id=str(result["principalId"]),
                statements=_as_list(result["policyDocument"].get("Statement")),
                context=dict(result.get("context") or {}),
            )
            if auth.ttl_seconds > 0 and auth.identity_sources:
                with self._cache_lock:
                    self._cache[key] = cached
        decision = policy_decision(cached.statements, method_arn)
        if decision == "Deny":
            return self._gateway_response(
                api,
                "ACCESS_DENIED",
                message="User is not authorized to access this resource with an explicit deny",
            ), None
        if decision != "Allow":
            return self._gateway_response(api, "ACCESS_DENIED"), None
        ctx = {k: _stringify(v) for k, v in cached.context.items()}
        return None, {"principalId": cached.principal_id, "integrationLatency": 0, **ctx}

    # ------------------------------------------------------------------------------- events
    def _event(
        self,
        api: Api,
        route: RouteDef,
        request: Request,
        params: dict[str, str],
        request_id: str,
        authorizer: dict[str, Any] | None,
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for name, values in request.args.lists():
            query[name] = values[-1]
            multi_query[name] = list(values)
        raw = request.get_data()
        body: str | None
        is_b64 = False
        if not raw:
            body = None
        else:
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                body, is_b64 = base64.b64encode(raw).decode(), True
        now = dt.datetime.now(dt.UTC)
        request_context: dict[str, Any] = {
            "resourceId": route.path.strip("/").replace("/", "")[:6] or "root",
            "resourcePath": route.path,
            "httpMethod": request.method,
            "extendedRequestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/{api.stage}{request.path}",
            "accountId": self.stack.account_id,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "stage": api.stage,
            "domainPrefix": request.host.split(":")[0].split(".")[0],
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": request.remote_addr or "127.0.0.1",
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": request.headers.get("User-Agent"),
                "user": None,
            },
            "domainName": request.host,
            "apiId": api.api_id,
        }
        if authorizer is not None:
            request_context["authorizer"] = authorizer
        return {
            "resource": route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": request_context,
            "body": body,
            "isBase64Encoded": is_b64,
        }

    def _proxy_response(self, api: Api, result: Any) -> Response:
        if not isinstance(result, dict) or "statusCode" not in result:
            log.warning("function returned a malformed proxy response")
            return self._gateway_response(api, "BAD_GATEWAY", status=502)
        body = result.get("body")
        data: bytes
        if body is None:
            data = b""
        elif result.get("isBase64Encoded"):
            data = base64.b64decode(body)
        else:
            data = str(body).encode("utf-8")
        response = Response(data, status=int(result["statusCode"]))
        response.headers.pop("Content-Type", None)
        for name, value in (result.get("headers") or {}).items():
            response.headers[name] = str(value)
        for name, values in (result.get("multiValueHeaders") or {}).items():
            if name in (result.get("headers") or {}):
                response.headers.pop(name, None)
            for value in values:
                response.headers.add(name, str(value))
        if "Content-Type" not in response.headers:
            response.headers["Content-Type"] = "application/json"
        return response

    def _gateway_response(
        self, api: Api | None, rtype: str, *, status: int | None = None, message: str | None = None
    ) -> Response:
        default_status, default_message = _DEFAULT_RESPONSES.get(rtype, (500, None))
        status = status or default_status
        message = message if message is not None else default_message
        responses: dict[str, GatewayResponseDef] = api.gateway_responses if api is not None else {}
        own = responses.get(rtype)
        spec = own or responses.get("DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX")
        headers: dict[str, str] = {"x-amzn-ErrorType": _error_type(rtype)}
        body = json.dumps({"message": message})
        if spec is not None:
            if own is not None and own.status_code is not None:
                status = own.status_code
            headers.update(spec.headers)
            template = spec.templates.get("application/json") or next(iter(spec.templates.values()), None)
            if template is not None:
                body = (
                    template.replace("$context.error.messageString", json.dumps(message))
                    .replace("$context.error.message", str(message))
                    .replace("$context.error.responseType", rtype)
                )
        return Response(body, status=status, headers=headers, content_type="application/json")

    # ------------------------------------------------------------------------------- Lambda Invoke API
    def function_for(self, name: str) -> str | None:
        """Logical id of a function given as name, logical id, or (partial) ARN with a qualifier."""
        if name.startswith("arn:"):
            parts = name.split(":")
            name = parts[6] if len(parts) > 6 else name
        elif ":" in name:
            name = name.split(":")[0]
        for logical_id, fn in self.stack.functions.items():
            if name in (fn.name, logical_id):
                return logical_id
        return None

    def _lambda_invoke(self, request: Request) -> tuple[Response, str]:
        """``POST /2015-03-31/functions/<name>/invocations`` as the Lambda service answers it, so that
        handlers (``AWS_ENDPOINT_URL_LAMBDA``) and operators can invoke functions."""
        rest = request.path[len(LAMBDA_API_PREFIX) :]
        name, _, tail = rest.partition("/")
        function_id = self.function_for(name)
        if tail != "invocations" or function_id is None:
            body = {"Type": "User", "message": f"Function not found: {name}"}
            return self._json(404, body, {"x-amzn-ErrorType": "ResourceNotFoundException"}), "lambda 404"
        raw = request.get_data()
        try:
            event = json.loads(raw) if raw else {}
        except ValueError:
            body = {"Type": "User", "message": "Could not parse request body into json"}
            return self._json(400, body, {"x-amzn-ErrorType": "InvalidRequestContentException"}), "lambda 400"
        kind = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if kind == "DryRun":
            return Response(status=204), f"{function_id} dry run"
        if kind == "Event":
            threading.Thread(target=self._invoke_async, args=(function_id, event), daemon=True).start()
            return Response(status=202), f"{function_id} async"
        outcome = self.invoke(function_id, event)
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        if not outcome.ok:
            headers["X-Amz-Function-Error"] = "Unhandled"
            return self._json(200, outcome.error, headers), f"{function_id} error"
        return self._json(200, outcome.result, headers), function_id

    def _invoke_async(self, function_id: str, event: Any) -> None:
        """Lambda retries an asynchronous invocation's errors twice; here without the long delays."""
        for attempt in range(3):
            if self.invoke(function_id, event).ok:
                return
            time.sleep(0.5 * (attempt + 1))
        log.warning("%s: asynchronous invocation failed 3 times; dropped", function_id)

    # ------------------------------------------------------------------------------- local control
    def _local(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts == ["_local", "stack"]:
            return self._json(
                200,
                {
                    "stackName": self.stack.stack_name,
                    "functions": sorted(self.stack.functions),
                    "schedules": sorted(self.stack.schedules),
                    "eventSourceMappings": sorted(self.stack.event_source_mappings),
                    "routes": [f"{r.method} {r.path}" for _, r in self._routes],
                },
            )
        payload: Any = None
        if request.get_data():
            try:
                payload = json.loads(request.get_data())
            except ValueError:
                return self._json(400, {"message": "body must be JSON"})
        if request.method == "POST" and len(parts) == 4 and parts[1] == "schedules" and parts[3] == "tick":
            if self.tick is None or parts[2] not in self.stack.schedules:
                return self._json(404, {"message": f"no schedule {parts[2]}"})
            outcome = self.tick(parts[2], payload)
            return self._json(
                200, _outcome_json(parts[2], self.stack.schedules[parts[2]].function_id, outcome)
            )
        if request.method == "POST" and len(parts) == 4 and parts[1] == "functions" and parts[3] == "invoke":
            if parts[2] not in self.stack.functions:
                return self._json(404, {"message": f"no function {parts[2]}"})
            outcome = self.invoke(parts[2], payload if payload is not None else {})
            return self._json(200, _outcome_json(None, parts[2], outcome))
        return self._json(404, {"message": "unknown local control route"})


def _outcome_json(schedule: str | None, function_id: str, outcome: InvokeOutcome) -> dict[str, Any]:
    out: dict[str, Any] = {"function": function_id, "ok": outcome.ok, "requestId": outcome.request_id}
    if schedule is not None:
        out["schedule"] = schedule
    if outcome.ok:
        out["result"] = outcome.result
    else:
        out["error"] = outcome.error
    return out


def _error_type(rtype: str) -> str:
    return {
        "UNAUTHORIZED": "UnauthorizedException",
        "ACCESS_DENIED": "AccessDeniedException",
        "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
        "AUTHORIZER_FAILURE": "AuthorizerFailureException",
        "AUTHORIZER_CONFIGURATION_ERROR": "AuthorizerConfigurationException",
    }.get(rtype, "InternalServerErrorException")


def route_path_for_arn(path: str) -> str:
    return path if path.startswith("/") else "/" + path
