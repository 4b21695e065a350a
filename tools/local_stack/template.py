"""Read a SAM template the way AWS does: transform it offline with aws-sam-translator, then model what
the local stack needs (data resources, functions, event source mappings, schedules, API routes).

Nothing here talks to AWS. Intrinsic functions are resolved by :class:`Resolver`, which asks a
callback for the physical values of resources (``resources.py`` supplies the deployed ones).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account

_LOCAL_CODE_PREFIX = "s3://local-stack-code/"


class TemplateError(Exception):
    """The template cannot be read, transformed or resolved."""


# ----------------------------------------------------------------------------------- loading


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Load a CloudFormation/SAM YAML (or JSON) template with its short tags (``!Ref`` ...)."""
    from cfnlint.decode import cfn_yaml

    try:
        loaded = cfn_yaml.load(str(path))
    except Exception as exc:  # cfn-lint raises its own decode errors
        raise TemplateError(f"cannot read template {path}: {exc}") from exc
    # cfn-lint returns str/dict subclasses that carry line marks; make it plain data
    return json.loads(json.dumps(loaded))


class _OfflinePolicyLoader:
    """The translator asks IAM for managed policy ARNs; offline we resolve none."""

    def load(self) -> dict[str, str]:
        return {}


def transform(
    sam: dict[str, Any],
    *,
    parameter_values: Mapping[str, Any],
    region: str,
) -> tuple[dict[str, Any], dict[str, str]]:
    """SAM → CloudFormation, offline. Returns the CloudFormation template and, per function or layer
    logical id, its local code directory (``CodeUri``/``ContentUri``) relative to the template."""
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    sam = copy.deepcopy(sam)
    if "Transform" not in sam:
        return sam, {}
    code_dirs: dict[str, str] = {}
    global_code = sam.get("Globals", {}).get("Function", {}).get("CodeUri")
    for logical_id, res in sam.get("Resources", {}).items():
        props = res.setdefault("Properties", {}) if isinstance(res, dict) else {}
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            value = props.get(key)
            if value is None and key == "CodeUri" and res.get("Type") == "AWS::Serverless::Function":
                value = global_code
                if value is None and "InlineCode" in props:
                    continue
            if isinstance(value, str) and not value.startswith("s3://"):
                if key != "DefinitionUri":
                    code_dirs[logical_id] = value
                props[key] = _LOCAL_CODE_PREFIX + logical_id
    if isinstance(global_code, str) and not global_code.startswith("s3://"):
        sam["Globals"]["Function"]["CodeUri"] = _LOCAL_CODE_PREFIX + "globals"
    session = boto3.session.Session(
        aws_access_key_id="offline", aws_secret_access_key="offline", region_name=region
    )
    translator = Translator(None, Parser(), boto_session=session)
    try:
        cfn = translator.translate(
            sam,
            parameter_values=dict(parameter_values),
            get_managed_policy_map=_OfflinePolicyLoader().load,
        )
    except InvalidDocumentException as exc:
        messages = "; ".join(str(e) for e in exc.causes)
        raise TemplateError(f"SAM transform failed: {messages}") from exc
    return json.loads(json.dumps(cfn)), code_dirs


# ----------------------------------------------------------------------------------- intrinsics

RefLookup = Callable[[str], Any]
AttLookup = Callable[[str, str], Any]

_NO_VALUE = object()


class Resolver:
    """Resolves CloudFormation intrinsic functions against parameters, pseudo parameters, conditions
    and (through callbacks) resources."""

    def __init__(
        self,
        *,
        parameters: Mapping[str, Any],
        pseudo: Mapping[str, Any],
        conditions: Mapping[str, Any],
        mappings: Mapping[str, Any],
        ref: RefLookup,
        getatt: AttLookup,
    ) -> None:
        self.parameters = dict(parameters)
        self.pseudo = dict(pseudo)
        self._raw_conditions = dict(conditions)
        self._conditions: dict[str, bool] = {}
        self.mappings = mappings
        self._ref = ref
        self._getatt = getatt

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            if name not in self._raw_conditions:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self._cond(self._raw_conditions[name]))
        return self._conditions[name]

    def _cond(self, expr: Any) -> Any:
        if isinstance(expr, dict) and len(expr) == 1:
            ((key, arg),) = expr.items()
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::Equals":
                a, b = (self.resolve(x) for x in arg)
                return str(a) == str(b)
            if key == "Fn::Not":
                return not self._cond(arg[0])
            if key == "Fn::And":
                return all(self._cond(x) for x in arg)
            if key == "Fn::Or":
                return any(self._cond(x) for x in arg)
        return self.resolve(expr)

    def resolve(self, value: Any) -> Any:
        out = self._resolve(value)
        return None if out is _NO_VALUE else out

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(v) for v in value]
            return [v for v in items if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref_value(arg)
            if key == "Fn::GetAtt":
                if isinstance(arg, str):
                    logical_id, _, attr = arg.partition(".")
                else:
                    logical_id, attr = arg[0], self._resolve(arg[1])
                return self._getatt(logical_id, attr)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Join":
                sep, items = arg
                return str(sep).join(str(x) for x in self._resolve(items))
            if key == "Fn::If":
                cond, yes, no = arg
                return self._resolve(yes if self.condition(cond) else no)
            if key == "Fn::Select":
                index, items = arg
                return self._resolve(items)[int(self._resolve(index))]
            if key == "Fn::Split":
                sep, text = arg
                return str(self._resolve(text)).split(sep)
            if key == "Fn::GetAZs":
                region = self._resolve(arg) or self.pseudo["AWS::Region"]
                return [f"{region}{z}" for z in "abc"]
            if key == "Fn::Base64":
                import base64

                return base64.b64encode(str(self._resolve(arg)).encode()).decode()
            if key == "Fn::FindInMap":
                name, top, second = (self._resolve(x) for x in arg[:3])
                return self.mappings[name][top][second]
            if key in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"):
                return self._cond(value)
            if key == "Fn::ImportValue":
                raise TemplateError(f"Fn::ImportValue is not supported locally: {arg}")
        return {k: v for k, v in ((k, self._resolve(v)) for k, v in value.items()) if v is not _NO_VALUE}

    def _ref_value(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._ref(name)

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self._resolve(v) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}

        def repl(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".", 1)[0] not in self.pseudo:
                logical_id, attr = name.split(".", 1)
                return str(self._getatt(logical_id, attr))
            return str(self._ref_value(name))

        return re.sub(r"\$\{([^}]+)\}", repl, text)


# ----------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class FunctionDef:
    logical_id: str
    code_dir: Path  # absolute
    handler: str  # "module.function" (module may be dotted: "pkg.app.handler")
    runtime: str | None
    timeout: int  # seconds
    memory_size: int  # MB
    environment: dict[str, Any]  # raw (intrinsics unresolved)
    function_name: Any  # raw FunctionName property or None


@dataclass(frozen=True)
class EventSourceMappingDef:
    logical_id: str
    function_id: str
    source_id: str  # logical id of the table / queue
    source_kind: str  # "dynamodb" | "sqs"
    batch_size: int
    batching_window_seconds: int
    filter_patterns: list[dict[str, Any]]
    function_response_types: list[str]
    maximum_retry_attempts: int  # -1 = infinite (streams)
    bisect_on_error: bool
    on_failure_destination: Any  # raw ARN expression or None
    starting_position: str | None
    enabled: bool
    maximum_concurrency: int | None


@dataclass(frozen=True)
class ScheduleDef:
    logical_id: str
    name: Any  # raw
    expression: str
    timezone: str | None
    function_id: str
    input: str | None
    maximum_retry_attempts: int
    maximum_event_age_seconds: int
    dead_letter_arn: Any  # raw ARN expression or None
    enabled: bool
    kind: str  # "scheduler" (AWS::Scheduler::Schedule) or "events-rule" (AWS::Events::Rule)


@dataclass(frozen=True)
class SnsSubscriptionDef:
    logical_id: str
    function_id: str
    topic: Any  # raw TopicArn expression


@dataclass(frozen=True)
class AuthorizerDef:
    name: str
    type: str  # "TOKEN" | "REQUEST"
    function_id: str
    identity_header: str | None  # TOKEN: the header; REQUEST: first header identity source
    identity_sources: list[str]  # e.g. ["method.request.header.Authorization"]
    ttl_seconds: int


@dataclass(frozen=True)
class MockResponse:
    status_code: int
    headers: dict[str, str]
    body: str


@dataclass(frozen=True)
class RouteDef:
    method: str  # upper case; "ANY" allowed
    path: str  # path template "/v1/products/{productId}" (may end in "{proxy+}")
    function_id: str
    authorizer: str | None  # AuthorizerDef.name or None
    api_id: str  # logical id of the RestApi
    mock: MockResponse | None = None  # a mock integration (CORS preflight): answered without a function

    @property
    def pattern(self) -> re.Pattern[str]:
        parts = []
        for seg in self.path.strip("/").split("/"):
            m = re.fullmatch(r"\{(\w+)(\+?)\}", seg)
            if m and m.group(2):
                parts.append(f"(?P<{m.group(1)}>.+)")
            elif m:
                parts.append(f"(?P<{m.group(1)}>[^/]+)")
            else:
                parts.append(re.escape(seg))
        return re.compile("^/" + "/".join(parts) + "/?$" if parts != [""] else "^/$")


@dataclass(frozen=True)
class GatewayResponseDef:
    response_type: str
    status_code: int | None
    templates: dict[str, str]
    headers: dict[str, str]  # header name -> static value (quotes stripped)


@dataclass(frozen=True)
class ApiDef:
    logical_id: str
    stage: Any  # raw
    routes: list[RouteDef]
    authorizers: dict[str, AuthorizerDef]
    gateway_responses: dict[str, GatewayResponseDef]


@dataclass
class TemplateModel:
    path: Path
    region: str
    account_id: str
    stack_name: str
    parameters: dict[str, Any]
    cfn: dict[str, Any]  # transformed CloudFormation template (conditions not applied)
    resources: dict[str, dict[str, Any]]  # active CFN resources (conditions applied)
    functions: dict[str, FunctionDef] = field(default_factory=dict)
    event_source_mappings: dict[str, EventSourceMappingDef] = field(default_factory=dict)
    schedules: dict[str, ScheduleDef] = field(default_factory=dict)
    apis: dict[str, ApiDef] = field(default_factory=dict)
    sns_subscriptions: dict[str, SnsSubscriptionDef] = field(default_factory=dict)

    def resolver(self, ref: RefLookup, getatt: AttLookup) -> Resolver:
        return Resolver(
            parameters=self.parameters,
            pseudo=pseudo_parameters(self.region, self.account_id, self.stack_name),
            conditions=self.cfn.get("Conditions", {}),
            mappings=self.cfn.get("Mappings", {}),
            ref=ref,
            getatt=getatt,
        )


def pseudo_parameters(region: str, account_id: str, stack_name: str) -> dict[str, Any]:
    return {
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "AWS::StackName": stack_name,
        "AWS::StackId": f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/local",
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": [],
    }


def _parameter_values(cfn: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in cfn.get("Parameters", {}).items():
        if name in overrides:
            values[name] = overrides[name]
        elif "Default" in spec:
            values[name] = spec["Default"]
        else:
            raise TemplateError(f"parameter {name} has no default and no override")
        if spec.get("Type") == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = values[name].split(",")
    unknown = set(overrides) - set(cfn.get("Parameters", {}))
    if unknown:
        raise TemplateError(f"parameter overrides for undeclared parameters: {sorted(unknown)}")
    return values


def parse_template(
    template_path: str | Path,
    *,
    parameter_overrides: Mapping[str, Any] | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    stack_name: str = "local",
) -> TemplateModel:
    """Load, transform and model a SAM (or plain CloudFormation) template."""
    path = Path(template_path).resolve()
    sam = load_yaml(path)
    overrides = dict(parameter_overrides or {})
    params = _parameter_values(sam, overrides)
    cfn, code_dirs = transform(sam, parameter_values=params, region=region)
    model = TemplateModel(
        path=path,
        region=region,
        account_id=account_id,
        stack_name=stack_name,
        parameters=params,
        cfn=cfn,
        resources={},
    )
    # conditions need no resources; a throwaway resolver evaluates them
    probe = model.resolver(_no_ref, _no_att)
    for logical_id, res in cfn.get("Resources", {}).items():
        cond = res.get("Condition")
        if cond is None or probe.condition(cond):
            model.resources[logical_id] = res
    _model_functions(model, code_dirs, probe)
    _model_event_sources(model, probe)
    _model_schedules(model, probe)
    _model_apis(model, probe)
    for logical_id, res in model.resources.items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::SNS::Subscription" and probe.resolve(props.get("Protocol")) == "lambda":
            function_id = _function_ref(model, props.get("Endpoint"))
            if function_id is not None:
                model.sns_subscriptions[logical_id] = SnsSubscriptionDef(
                    logical_id, function_id, props.get("TopicArn")
                )
    return model


def _no_ref(name: str) -> Any:
    raise TemplateError(f"reference to resource {name} where only parameters are allowed")


def _no_att(name: str, attr: str) -> Any:
    raise TemplateError(f"Fn::GetAtt {name}.{attr} where only parameters are allowed")


def _int(probe: Resolver, value: Any, default: int) -> int:
    value = probe.resolve(value)
    return default if value is None else int(value)


def referenced_ids(value: Any) -> list[str]:
    """Logical ids a raw expression refers to (Ref, GetAtt, ${X} / ${X.Attr} in Sub), in order."""
    found: list[str] = []
    if isinstance(value, list):
        for v in value:
            found += referenced_ids(v)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.append(arg)
            elif key == "Fn::GetAtt":
                found.append(arg.split(".", 1)[0] if isinstance(arg, str) else arg[0])
            elif key == "Fn::Sub":
                text, variables = (arg[0], arg[1]) if isinstance(arg, list) else (arg, {})
                for name in re.findall(r"\$\{([^}!][^}]*)\}", text):
                    if name not in variables:
                        found.append(name.split(".", 1)[0])
                found += referenced_ids(variables)
            else:
                found += referenced_ids(arg)
    return found


def _function_ref(model: TemplateModel, value: Any) -> str | None:
    for logical_id in referenced_ids(value):
        res = model.resources.get(logical_id)
        if res is None:
            continue
        if res["Type"] == "AWS::Lambda::Function":
            return logical_id
        if res["Type"] in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return _function_ref(model, res.get("Properties", {}).get("FunctionName"))
    return None


def _model_functions(model: TemplateModel, code_dirs: dict[str, str], probe: Resolver) -> None:
    base = model.path.parent
    for logical_id, res in model.resources.items():
        if res["Type"] != "AWS::Lambda::Function":
            continue
        props = res.get("Properties", {})
        code = code_dirs.get(logical_id)
        if code is None:
            continue  # inline or S3 code: nothing to run locally
        handler = probe.resolve(props.get("Handler"))
        if not handler or "." not in handler:
            raise TemplateError(f"{logical_id}: Handler must be 'module.function', got {handler!r}")
        model.functions[logical_id] = FunctionDef(
            logical_id=logical_id,
            code_dir=(base / code).resolve(),
            handler=handler,
            runtime=probe.resolve(props.get("Runtime")) if "Runtime" in props else None,
            timeout=_int(probe, props.get("Timeout"), 3),
            memory_size=_int(probe, props.get("MemorySize"), 128),
            environment=props.get("Environment", {}).get("Variables", {}) or {},
            function_name=props.get("FunctionName"),
        )


_SOURCE_KINDS = {"AWS::DynamoDB::Table": "dynamodb", "AWS::SQS::Queue": "sqs"}


def _model_event_sources(model: TemplateModel, probe: Resolver) -> None:
    for logical_id, res in model.resources.items():
        if res["Type"] != "AWS::Lambda::EventSourceMapping":
            continue
        props = res.get("Properties", {})
        function_id = _function_ref(model, props.get("FunctionName"))
        sources = [r for r in referenced_ids(props.get("EventSourceArn")) if r in model.resources]
        if function_id is None or not sources:
            continue  # e.g. an external ARN: nothing local to pump
        source_id = sources[0]
        kind = _SOURCE_KINDS.get(model.resources[source_id]["Type"])
        if kind is None:
            continue  # Kinesis, MQ, Kafka...: not emulated
        patterns = []
        for flt in props.get("FilterCriteria", {}).get("Filters", []) or []:
            pattern = probe.resolve(flt.get("Pattern"))
            patterns.append(json.loads(pattern) if isinstance(pattern, str) else pattern)
        on_failure = (props.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        scaling = props.get("ScalingConfig") or {}
        model.event_source_mappings[logical_id] = EventSourceMappingDef(
            logical_id=logical_id,
            function_id=function_id,
            source_id=source_id,
            source_kind=kind,
            batch_size=_int(probe, props.get("BatchSize"), 10 if kind == "sqs" else 100),
            batching_window_seconds=_int(probe, props.get("MaximumBatchingWindowInSeconds"), 0),
            filter_patterns=patterns,
            function_response_types=list(probe.resolve(props.get("FunctionResponseTypes")) or []),
            maximum_retry_attempts=_int(probe, props.get("MaximumRetryAttempts"), -1),
            bisect_on_error=bool(probe.resolve(props.get("BisectBatchOnFunctionError")) or False),
            on_failure_destination=on_failure,
            starting_position=probe.resolve(props.get("StartingPosition")),
            enabled=probe.resolve(props.get("Enabled")) is not False,
            maximum_concurrency=probe.resolve(scaling.get("MaximumConcurrency")),
        )


def _model_schedules(model: TemplateModel, probe: Resolver) -> None:
    for logical_id, res in model.resources.items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Scheduler::Schedule":
            target = props.get("Target", {})
            function_id = _function_ref(model, target.get("Arn"))
            if function_id is None:
                continue
            retry = target.get("RetryPolicy") or {}
            model.schedules[logical_id] = ScheduleDef(
                logical_id=logical_id,
                name=props.get("Name"),
                expression=probe.resolve(props.get("ScheduleExpression")),
                timezone=probe.resolve(props.get("ScheduleExpressionTimezone")),
                function_id=function_id,
                input=probe.resolve(target.get("Input")),
                maximum_retry_attempts=_int(probe, retry.get("MaximumRetryAttempts"), 185),
                maximum_event_age_seconds=_int(probe, retry.get("MaximumEventAgeInSeconds"), 86400),
                dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
                enabled=probe.resolve(props.get("State")) != "DISABLED",
                kind="scheduler",
            )
        elif res["Type"] == "AWS::Events::Rule" and "ScheduleExpression" in props:
            for target in props.get("Targets", []) or []:
                function_id = _function_ref(model, target.get("Arn"))
                if function_id is None:
                    continue
                retry = target.get("RetryPolicy") or {}
                model.schedules[logical_id] = ScheduleDef(
                    logical_id=logical_id,
                    name=props.get("Name"),
                    expression=probe.resolve(props.get("ScheduleExpression")),
                    timezone=None,
                    function_id=function_id,
                    input=probe.resolve(target.get("Input")),
                    maximum_retry_attempts=_int(probe, retry.get("MaximumRetryAttempts"), 185),
                    maximum_event_age_seconds=_int(probe, retry.get("MaximumEventAgeInSeconds"), 86400),
                    dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
                    enabled=probe.resolve(props.get("State")) != "DISABLED",
                    kind="events-rule",
                )
                break


def _mock_response(integration: dict[str, Any]) -> MockResponse:
    default = (integration.get("responses") or {}).get("default") or {}
    headers = {
        key.removeprefix("method.response.header."): _strip_quotes(str(value))
        for key, value in (default.get("responseParameters") or {}).items()
        if key.startswith("method.response.header.")
    }
    templates = default.get("responseTemplates") or {}
    body = templates.get("application/json") or next(iter(templates.values()), "")
    return MockResponse(int(default.get("statusCode", 200)), headers, str(body))


def _strip_quotes(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == "'" else value


def _model_apis(model: TemplateModel, probe: Resolver) -> None:
    stages: dict[str, Any] = {}
    for res in model.resources.values():
        if res["Type"] == "AWS::ApiGateway::Stage":
            props = res.get("Properties", {})
            for api_id in referenced_ids(props.get("RestApiId")):
                stages[api_id] = props.get("StageName")
    for logical_id, res in model.resources.items():
        if res["Type"] != "AWS::ApiGateway::RestApi":
            continue
        body = res.get("Properties", {}).get("Body")
        if not isinstance(body, dict):
            continue  # DefinitionUri to a file: not read
        authorizers: dict[str, AuthorizerDef] = {}
        for name, sec in (body.get("securityDefinitions") or {}).items():
            auth = sec.get("x-amazon-apigateway-authorizer")
            if not auth:
                continue
            function_id = _function_ref(model, auth.get("authorizerUri"))
            if function_id is None:
                continue
            auth_type = str(auth.get("type", "token")).upper()
            if auth_type == "TOKEN":
                sources = [f"method.request.header.{sec.get('name', 'Authorization')}"]
            else:
                raw = auth.get("identitySource") or ""
                sources = [s.strip() for s in str(raw).split(",") if s.strip()]
            header = None
            for src in sources:
                if src.startswith("method.request.header."):
                    header = src.removeprefix("method.request.header.")
                    break
            authorizers[name] = AuthorizerDef(
                name=name,
                type=auth_type,
                function_id=function_id,
                identity_header=header,
                identity_sources=sources,
                ttl_seconds=int(auth.get("authorizerResultTtlInSeconds", 300)),
            )
        default_security = body.get("security") or []
        routes: list[RouteDef] = []
        for path, ops in (body.get("paths") or {}).items():
            for method, op in ops.items():
                if not isinstance(op, dict):
                    continue
                integration = op.get("x-amazon-apigateway-integration") or {}
                mock = _mock_response(integration) if integration.get("type") == "mock" else None
                function_id = "" if mock else _function_ref(model, integration.get("uri"))
                if function_id is None:
                    continue
                method_name = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                security = op.get("security", default_security) or []
                authorizer = None
                for sec in security:
                    for name in sec:
                        if name in authorizers:
                            authorizer = name
                routes.append(RouteDef(method_name, path, function_id, authorizer, logical_id, mock))
        responses: dict[str, GatewayResponseDef] = {}
        for rtype, spec in (body.get("x-amazon-apigateway-gateway-responses") or {}).items():
            headers = {}
            for key, value in (spec.get("responseParameters") or {}).items():
                if key.startswith("gatewayresponse.header."):
                    headers[key.removeprefix("gatewayresponse.header.")] = _strip_quotes(str(value))
            status = spec.get("statusCode")
            responses[rtype] = GatewayResponseDef(
                response_type=rtype,
                status_code=int(status) if status is not None else None,
                templates=dict(spec.get("responseTemplates") or {}),
                headers=headers,
            )
        model.apis[logical_id] = ApiDef(
            logical_id=logical_id,
            stage=stages.get(logical_id, "prod"),
            routes=routes,
            authorizers=authorizers,
            gateway_responses=responses,
        )
