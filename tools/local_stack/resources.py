"""Create a template's data resources in an AWS emulator (moto server or in-process ``mock_aws``).

``deploy()`` reads the SAM template (transformed offline, see ``template.py``), creates every
DynamoDB table, SQS queue, SNS topic/subscription, secret, SSM parameter, S3 bucket, log group and
schedule it declares, resolves ``Ref``/``Fn::GetAtt``/``Fn::Sub``/... between them, and returns a
:class:`DeployedStack`: the physical names, the functions with their environment resolved, and the
event source mappings, schedules and API routes the pumps and the API server need.

Physical names are deterministic: the name the template gives, else ``<stack>-<LogicalId>``.
Resources that are not data (functions, roles, alarms, the API itself...) are not created; they get
deterministic synthetic names and ARNs so references to them resolve.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_stack.template import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_REGION,
    AuthorizerDef,
    GatewayResponseDef,
    Resolver,
    RouteDef,
    TemplateError,
    TemplateModel,
    parse_template,
)

log = logging.getLogger("local_stack.resources")

ClientFactory = Callable[[str], Any]


# ----------------------------------------------------------------------------------- result model


@dataclass
class Resource:
    logical_id: str
    type: str
    physical_id: str  # what Ref returns (table name, queue URL, topic ARN, function name...)
    arn: str | None
    attributes: dict[str, Any] = field(default_factory=dict)  # Fn::GetAtt values
    emulated: bool = False  # True when it exists in the emulator (False: synthetic name only)


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str  # physical function name
    arn: str
    code_dir: Path
    handler: str  # "module.function"
    runtime: str | None
    timeout: int
    memory_size: int
    environment: dict[str, str]  # template env (Globals + function), resolved to physical names

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def attr(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass(frozen=True)
class EventSourceMapping:
    logical_id: str
    function_id: str
    source_id: str
    source_kind: str  # "dynamodb" | "sqs"
    source_arn: str  # stream ARN or queue ARN
    queue_url: str | None  # sqs sources
    batch_size: int
    batching_window_seconds: int
    filter_patterns: list[dict[str, Any]]
    function_response_types: list[str]
    maximum_retry_attempts: int  # -1 = until the record expires (streams)
    bisect_on_error: bool
    on_failure_arn: str | None
    starting_position: str | None
    enabled: bool

    @property
    def report_batch_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.function_response_types


@dataclass(frozen=True)
class Schedule:
    logical_id: str
    name: str
    expression: str
    timezone: str | None
    function_id: str
    input: str | None
    maximum_retry_attempts: int
    maximum_event_age_seconds: int
    dead_letter_arn: str | None
    enabled: bool
    kind: str


@dataclass(frozen=True)
class SnsSubscription:
    """An SNS → Lambda subscription, bridged locally through an SQS queue the topic delivers to."""

    logical_id: str
    function_id: str
    topic_arn: str
    subscription_arn: str
    bridge_queue_url: str


@dataclass(frozen=True)
class Api:
    logical_id: str
    api_id: str  # physical (synthetic) RestApi id
    stage: str
    routes: list[RouteDef]
    authorizers: dict[str, AuthorizerDef]
    gateway_responses: dict[str, GatewayResponseDef]


@dataclass
class DeployedStack:
    stack_name: str
    region: str
    account_id: str
    endpoint_url: str | None
    template_path: Path
    parameters: dict[str, Any]
    resources: dict[str, Resource]
    functions: dict[str, FunctionSpec]
    event_source_mappings: dict[str, EventSourceMapping]
    schedules: dict[str, Schedule]
    apis: dict[str, Api]
    outputs: dict[str, Any]
    sns_subscriptions: dict[str, SnsSubscription] = field(default_factory=dict)

    def physical_id(self, logical_id: str) -> str:
        return self.resources[logical_id].physical_id

    def table_name(self, logical_id: str) -> str:
        return self._typed(logical_id, "AWS::DynamoDB::Table").physical_id

    def queue_url(self, logical_id: str) -> str:
        return self._typed(logical_id, "AWS::SQS::Queue").physical_id

    def arn(self, logical_id: str) -> str:
        arn = self.resources[logical_id].arn
        if arn is None:
            raise KeyError(f"{logical_id} has no ARN")
        return arn

    def by_arn(self, arn: str) -> Resource | None:
        for res in self.resources.values():
            if res.arn == arn or res.attributes.get("StreamArn") == arn:
                return res
        return None

    def queue_url_for_arn(self, arn: str) -> str | None:
        res = self.by_arn(arn)
        return res.physical_id if res is not None and res.type == "AWS::SQS::Queue" else None

    def _typed(self, logical_id: str, rtype: str) -> Resource:
        res = self.resources[logical_id]
        if res.type != rtype:
            raise KeyError(f"{logical_id} is a {res.type}, not a {rtype}")
        return res


# ----------------------------------------------------------------------------------- deploy


def client_factory(
    session_or_clients: Any = None, *, region: str = DEFAULT_REGION, endpoint_url: str | None = None
) -> ClientFactory:
    """``session_or_clients``: None (default boto3 session), a ``boto3.Session``, or a callable
    ``service_name -> client``."""
    if callable(session_or_clients) and not hasattr(session_or_clients, "client"):
        return session_or_clients  # type: ignore[no-any-return]
    import boto3

    session = session_or_clients or boto3.session.Session(region_name=region)
    cache: dict[str, Any] = {}

    def make(service: str) -> Any:
        if service not in cache:
            kwargs: dict[str, Any] = {"region_name": region}
            if endpoint_url:
                kwargs["endpoint_url"] = endpoint_url
            cache[service] = session.client(service, **kwargs)
        return cache[service]

    return make


def deploy(
    template_path: str | Path,
    *,
    session_or_clients: Any = None,
    endpoint_url: str | None = None,
    stack_name: str = "local",
    parameter_overrides: Mapping[str, Any] | None = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
) -> DeployedStack:
    """Create every data resource of ``template_path`` in the emulator and describe the stack.

    Works against moto server (pass ``endpoint_url``, or a session/clients already pointing at it)
    and in-process under ``moto.mock_aws()`` (pass nothing). Existing tables/queues with the same
    names are adopted, so deploying twice into the same emulator is harmless.
    """
    model = parse_template(
        template_path,
        parameter_overrides=parameter_overrides,
        region=region,
        account_id=account_id,
        stack_name=stack_name,
    )
    clients = client_factory(session_or_clients, region=region, endpoint_url=endpoint_url)
    return _Deployer(model, clients, endpoint_url).run()


_SYNTHETIC_ARNS: dict[str, str] = {
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{acct}:function:{name}",
    "AWS::IAM::Role": "arn:aws:iam::{acct}:role/{name}",
    "AWS::IAM::ManagedPolicy": "arn:aws:iam::{acct}:policy/{name}",
    "AWS::CloudWatch::Alarm": "arn:aws:cloudwatch:{region}:{acct}:alarm:{name}",
    "AWS::KMS::Key": "arn:aws:kms:{region}:{acct}:key/{name}",
    "AWS::Events::EventBus": "arn:aws:events:{region}:{acct}:event-bus/{name}",
    "AWS::Events::Rule": "arn:aws:events:{region}:{acct}:rule/{name}",
    "AWS::StepFunctions::StateMachine": "arn:aws:states:{region}:{acct}:stateMachine:{name}",
    "AWS::Lambda::LayerVersion": "arn:aws:lambda:{region}:{acct}:layer:{name}:1",
}


class _Deployer:
    def __init__(self, model: TemplateModel, clients: ClientFactory, endpoint_url: str | None) -> None:
        self.model = model
        self.clients = clients
        self.endpoint_url = endpoint_url
        self.done: dict[str, Resource] = {}
        self.in_progress: set[str] = set()
        self.resolver: Resolver = model.resolver(self._ref, self._getatt)

    # -- references
    def _ref(self, logical_id: str) -> Any:
        return self.ensure(logical_id).physical_id

    def _getatt(self, logical_id: str, attr: str) -> Any:
        res = self.ensure(logical_id)
        if attr in res.attributes:
            return res.attributes[attr]
        if attr == "Arn" and res.arn:
            return res.arn
        log.debug("no attribute %s.%s locally; using a placeholder", logical_id, attr)
        return f"{res.physical_id}.{attr}"

    def ensure(self, logical_id: str) -> Resource:
        if logical_id in self.done:
            return self.done[logical_id]
        res = self.model.resources.get(logical_id)
        if res is None:
            raise TemplateError(f"reference to unknown or inactive resource {logical_id}")
        rtype = res["Type"]
        creator = _CREATORS.get(rtype)
        if creator is None:
            self.done[logical_id] = self._synthetic(logical_id, rtype, res.get("Properties", {}))
            return self.done[logical_id]
        if logical_id in self.in_progress:
            raise TemplateError(f"circular reference through {logical_id}")
        self.in_progress.add(logical_id)
        try:
            for dep in _as_list(res.get("DependsOn")):
                if dep in self.model.resources:
                    self.ensure(dep)
            props = self.resolver.resolve(res.get("Properties", {})) or {}
            self.done[logical_id] = creator(self, logical_id, props)
        finally:
            self.in_progress.discard(logical_id)
        return self.done[logical_id]

    # -- naming
    def default_name(self, logical_id: str, max_len: int = 255) -> str:
        name = f"{self.model.stack_name}-{logical_id}"
        return name[:max_len]

    def _name_prop(self, props: Mapping[str, Any], key: str, logical_id: str, max_len: int = 255) -> str:
        value = props.get(key)
        return str(value) if value else self.default_name(logical_id, max_len)

    def _synthetic(self, logical_id: str, rtype: str, raw_props: Mapping[str, Any]) -> Resource:
        m = self.model
        name_keys = {
            "AWS::Lambda::Function": "FunctionName",
            "AWS::IAM::Role": "RoleName",
            "AWS::CloudWatch::Alarm": "AlarmName",
            "AWS::Events::Rule": "Name",
            "AWS::Events::EventBus": "Name",
        }
        name = self.default_name(logical_id, 64 if rtype == "AWS::Lambda::Function" else 255)
        key = name_keys.get(rtype)
        if key and isinstance(raw_props.get(key), str | dict):
            try:
                value = self.resolver.resolve(raw_props[key])
                if isinstance(value, str) and value:
                    name = value
            except TemplateError:
                pass
        region, acct = m.region, m.account_id
        attrs: dict[str, Any] = {}
        arn: str | None
        if rtype == "AWS::ApiGateway::RestApi":
            physical = _short_id(m.stack_name + logical_id)
            arn = f"arn:aws:apigateway:{region}::/restapis/{physical}"
            attrs["RootResourceId"] = _short_id(physical + "/")
        else:
            template = _SYNTHETIC_ARNS.get(rtype)
            if template is None:
                service = rtype.split("::")[1].lower() if rtype.count("::") >= 2 else "local"
                template = "arn:aws:" + service + ":{region}:{acct}:" + logical_id.lower() + "/{name}"
            arn = template.format(region=region, acct=acct, name=name)
            # Ref of a layer version is its ARN; of everything else here, its name
            physical = arn if rtype == "AWS::Lambda::LayerVersion" else name
        if arn:
            attrs.setdefault("Arn", arn)
        return Resource(logical_id, rtype, physical, arn, attrs, emulated=False)

    # -- the run
    def run(self) -> DeployedStack:
        m = self.model
        for logical_id in m.resources:
            self.ensure(logical_id)
        functions = {}
        for logical_id, fdef in m.functions.items():
            res = self.done[logical_id]
            env = {k: _env_str(v) for k, v in (self.resolver.resolve(fdef.environment) or {}).items()}
            functions[logical_id] = FunctionSpec(
                logical_id=logical_id,
                name=res.physical_id,
                arn=res.arn or "",
                code_dir=fdef.code_dir,
                handler=fdef.handler,
                runtime=fdef.runtime,
                timeout=fdef.timeout,
                memory_size=fdef.memory_size,
                environment=env,
            )
        mappings = {}
        for logical_id, e in m.event_source_mappings.items():
            src = self.done[e.source_id]
            source_arn = src.attributes.get("StreamArn") if e.source_kind == "dynamodb" else src.arn
            if not source_arn:
                log.warning("%s: %s has no stream; mapping skipped", logical_id, e.source_id)
                continue
            mappings[logical_id] = EventSourceMapping(
                logical_id=logical_id,
                function_id=e.function_id,
                source_id=e.source_id,
                source_kind=e.source_kind,
                source_arn=str(source_arn),
                queue_url=src.physical_id if e.source_kind == "sqs" else None,
                batch_size=e.batch_size,
                batching_window_seconds=e.batching_window_seconds,
                filter_patterns=e.filter_patterns,
                function_response_types=e.function_response_types,
                maximum_retry_attempts=e.maximum_retry_attempts,
                bisect_on_error=e.bisect_on_error,
                on_failure_arn=self.resolver.resolve(e.on_failure_destination),
                starting_position=e.starting_position,
                enabled=e.enabled,
            )
        schedules = {}
        for logical_id, s in m.schedules.items():
            schedules[logical_id] = Schedule(
                logical_id=logical_id,
                name=str(self.resolver.resolve(s.name) or self.done[logical_id].physical_id),
                expression=s.expression,
                timezone=s.timezone,
                function_id=s.function_id,
                input=s.input,
                maximum_retry_attempts=s.maximum_retry_attempts,
                maximum_event_age_seconds=s.maximum_event_age_seconds,
                dead_letter_arn=self.resolver.resolve(s.dead_letter_arn),
                enabled=s.enabled,
                kind=s.kind,
            )
        apis = {}
        for logical_id, a in m.apis.items():
            apis[logical_id] = Api(
                logical_id=logical_id,
                api_id=self.done[logical_id].physical_id,
                stage=str(self.resolver.resolve(a.stage)),
                routes=a.routes,
                authorizers=a.authorizers,
                gateway_responses=a.gateway_responses,
            )
        sns = {}
        for logical_id, sub in m.sns_subscriptions.items():
            res = self.done[logical_id]
            sns[logical_id] = SnsSubscription(
                logical_id=logical_id,
                function_id=sub.function_id,
                topic_arn=str(self.resolver.resolve(sub.topic)),
                subscription_arn=res.physical_id,
                bridge_queue_url=str(res.attributes.get("BridgeQueueUrl", "")),
            )
        outputs: dict[str, Any] = {}
        for name, spec in (m.cfn.get("Outputs") or {}).items():
            cond = spec.get("Condition")
            if cond and not self.resolver.condition(cond):
                continue
            try:
                outputs[name] = self.resolver.resolve(spec.get("Value"))
            except TemplateError as exc:
                log.debug("output %s not resolved: %s", name, exc)
        return DeployedStack(
            stack_name=m.stack_name,
            region=m.region,
            account_id=m.account_id,
            endpoint_url=self.endpoint_url,
            template_path=m.path,
            parameters=dict(m.parameters),
            resources=dict(self.done),
            functions=functions,
            event_source_mappings=mappings,
            schedules=schedules,
            apis=apis,
            outputs=outputs,
            sns_subscriptions=sns,
        )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _short_id(seed: str) -> str:
    alphabet = string.ascii_lowercase + string.digits
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


def _env_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else str(value)


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


# ----------------------------------------------------------------------------------- creators


def _create_table(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    ddb = d.clients("dynamodb")
    name = d._name_prop(p, "TableName", logical_id)
    billing = p.get("BillingMode", "PROVISIONED")
    req: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": p["AttributeDefinitions"],
        "KeySchema": p["KeySchema"],
        "BillingMode": billing,
    }
    throughput = p.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if billing == "PROVISIONED":
        req["ProvisionedThroughput"] = _ints(throughput)
    gsis = []
    for g in p.get("GlobalSecondaryIndexes") or []:
        gsi = {k: g[k] for k in ("IndexName", "KeySchema", "Projection") if k in g}
        if billing == "PROVISIONED":
            gsi["ProvisionedThroughput"] = _ints(g.get("ProvisionedThroughput") or throughput)
        gsis.append(gsi)
    if gsis:
        req["GlobalSecondaryIndexes"] = gsis
    lsis = [
        {k: x[k] for k in ("IndexName", "KeySchema", "Projection") if k in x}
        for x in p.get("LocalSecondaryIndexes") or []
    ]
    if lsis:
        req["LocalSecondaryIndexes"] = lsis
    stream = p.get("StreamSpecification")
    if stream and stream.get("StreamViewType"):
        req["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    sse = p.get("SSESpecification")
    if sse:
        req["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled"))}
        if sse.get("SSEType"):
            req["SSESpecification"]["SSEType"] = sse["SSEType"]
        if sse.get("KMSMasterKeyId"):
            req["SSESpecification"]["KMSMasterKeyId"] = sse["KMSMasterKeyId"]
    if p.get("Tags"):
        req["Tags"] = p["Tags"]
    if "DeletionProtectionEnabled" in p:
        req["DeletionProtectionEnabled"] = bool(p["DeletionProtectionEnabled"])
    try:
        desc = ddb.create_table(**req)["TableDescription"]
    except Exception as exc:
        if _error_code(exc) != "ResourceInUseException":
            raise
        desc = ddb.describe_table(TableName=name)["Table"]
    ttl = p.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
        )
    pitr = p.get("PointInTimeRecoverySpecification") or {}
    if pitr.get("PointInTimeRecoveryEnabled"):
        try:
            ddb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        except Exception as exc:  # not essential locally
            log.debug("pitr not enabled on %s: %s", name, exc)
    attrs: dict[str, Any] = {"Arn": desc["TableArn"]}
    if desc.get("LatestStreamArn"):
        attrs["StreamArn"] = desc["LatestStreamArn"]
    log.debug("table %s created", name)
    return Resource(logical_id, "AWS::DynamoDB::Table", name, desc["TableArn"], attrs, emulated=True)


def _ints(d: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in d.items()}


_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedriveAllowPolicy",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


def _create_queue(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    sqs = d.clients("sqs")
    fifo = str(p.get("FifoQueue", "")).lower() == "true"
    name = p.get("QueueName") or d.default_name(logical_id, 75 if fifo else 80)
    if fifo and not name.endswith(".fifo"):
        name += ".fifo"
    attributes: dict[str, str] = {}
    for key in _QUEUE_ATTRIBUTES:
        if key in p and p[key] is not None:
            value = p[key]
            if isinstance(value, dict):
                value = json.dumps(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            attributes[key] = str(value)
    req: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
    if p.get("Tags"):
        req["tags"] = {t["Key"]: str(t["Value"]) for t in p["Tags"]}
    url = sqs.create_queue(**req)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attrs = {"Arn": arn, "QueueName": name, "QueueUrl": url}
    return Resource(logical_id, "AWS::SQS::Queue", url, arn, attrs, emulated=True)


def _create_topic(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    sns = d.clients("sns")
    fifo = str(p.get("FifoTopic", "")).lower() == "true"
    name = p.get("TopicName") or d.default_name(logical_id, 251 if fifo else 256)
    if fifo and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {}
    for key in ("DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication"):
        if p.get(key) is not None:
            value = p[key]
            attributes[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for sub in p.get("Subscription") or []:
        _subscribe(d, arn, sub.get("Protocol"), sub.get("Endpoint"), {})
    attrs = {"TopicArn": arn, "TopicName": name, "Arn": arn}
    return Resource(logical_id, "AWS::SNS::Topic", arn, arn, attrs, emulated=True)


def _subscribe(
    d: _Deployer, topic_arn: str, protocol: Any, endpoint: Any, attributes: dict[str, str]
) -> str | None:
    if protocol == "lambda":
        log.info("sns → lambda subscription to %s is not pumped locally", endpoint)
        return None
    resp = d.clients("sns").subscribe(
        TopicArn=topic_arn, Protocol=protocol, Endpoint=endpoint, Attributes=attributes
    )
    return str(resp.get("SubscriptionArn"))


def _create_subscription(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    attributes = {}
    for key in ("RawMessageDelivery", "FilterPolicyScope", "RedrivePolicy", "FilterPolicy"):
        if p.get(key) is not None:
            value = p[key]
            if isinstance(value, dict):
                value = json.dumps(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            attributes[key] = str(value)
    if p.get("Protocol") == "lambda":
        # the topic delivers to a bridge queue (with the subscription's filter policy); the SNS
        # pump turns its messages into SNS events for the function
        bridge = d.clients("sqs").create_queue(QueueName=d.default_name(logical_id, 73) + "-sns")["QueueUrl"]
        bridge_arn = d.clients("sqs").get_queue_attributes(QueueUrl=bridge, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        attributes.pop("RawMessageDelivery", None)
        sub_arn = d.clients("sns").subscribe(
            TopicArn=p["TopicArn"], Protocol="sqs", Endpoint=bridge_arn, Attributes=attributes
        )["SubscriptionArn"]
        attrs = {"BridgeQueueUrl": bridge}
        return Resource(logical_id, "AWS::SNS::Subscription", sub_arn, sub_arn, attrs, emulated=True)
    arn = _subscribe(d, p["TopicArn"], p.get("Protocol"), p.get("Endpoint"), attributes)
    physical = arn or f"{p['TopicArn']}:{logical_id}"
    return Resource(logical_id, "AWS::SNS::Subscription", physical, physical, {}, emulated=arn is not None)


def _create_secret(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    sm = d.clients("secretsmanager")
    name = d._name_prop(p, "Name", logical_id)
    value = p.get("SecretString")
    gen = p.get("GenerateSecretString")
    if value is None and gen is not None:
        exclude = set(gen.get("ExcludeCharacters", ""))
        alphabet = [c for c in string.ascii_letters + string.digits + "!#$%&*+-=?^_" if c not in exclude]
        password = "".join(secrets.choice(alphabet) for _ in range(int(gen.get("PasswordLength", 32))))
        if gen.get("SecretStringTemplate") and gen.get("GenerateStringKey"):
            body = json.loads(gen["SecretStringTemplate"])
            body[gen["GenerateStringKey"]] = password
            value = json.dumps(body)
        else:
            value = password
    req: dict[str, Any] = {"Name": name}
    if value is not None:
        req["SecretString"] = value
    if p.get("Description"):
        req["Description"] = p["Description"]
    try:
        arn = sm.create_secret(**req)["ARN"]
    except Exception as exc:
        if _error_code(exc) != "ResourceExistsException":
            raise
        arn = sm.describe_secret(SecretId=name)["ARN"]
    return Resource(logical_id, "AWS::SecretsManager::Secret", arn, arn, {"Id": arn}, emulated=True)


def _create_parameter(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    name = d._name_prop(p, "Name", logical_id)
    d.clients("ssm").put_parameter(
        Name=name, Value=str(p["Value"]), Type=p.get("Type", "String"), Overwrite=True
    )
    arn = f"arn:aws:ssm:{d.model.region}:{d.model.account_id}:parameter/{name.lstrip('/')}"
    return Resource(
        logical_id, "AWS::SSM::Parameter", name, arn, {"Type": p.get("Type"), "Value": p["Value"]}, True
    )


def _create_bucket(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    name = p.get("BucketName") or d.default_name(logical_id, 63).lower()
    s3 = d.clients("s3")
    req: dict[str, Any] = {"Bucket": name}
    if d.model.region != "us-east-1":
        req["CreateBucketConfiguration"] = {"LocationConstraint": d.model.region}
    try:
        s3.create_bucket(**req)
    except Exception as exc:
        if _error_code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    arn = f"arn:aws:s3:::{name}"
    attrs = {
        "Arn": arn,
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{d.model.region}.amazonaws.com",
    }
    return Resource(logical_id, "AWS::S3::Bucket", name, arn, attrs, emulated=True)


def _create_log_group(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    name = d._name_prop(p, "LogGroupName", logical_id)
    logs = d.clients("logs")
    try:
        logs.create_log_group(logGroupName=name)
    except Exception as exc:
        if _error_code(exc) != "ResourceAlreadyExistsException":
            raise
    if p.get("RetentionInDays"):
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(p["RetentionInDays"]))
    arn = f"arn:aws:logs:{d.model.region}:{d.model.account_id}:log-group:{name}:*"
    return Resource(logical_id, "AWS::Logs::LogGroup", name, arn, {"Arn": arn}, emulated=True)


def _create_schedule_group(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    name = d._name_prop(p, "Name", logical_id, 64)
    try:
        arn = d.clients("scheduler").create_schedule_group(Name=name)["ScheduleGroupArn"]
    except Exception as exc:
        if _error_code(exc) != "ConflictException":
            raise
        arn = f"arn:aws:scheduler:{d.model.region}:{d.model.account_id}:schedule-group/{name}"
    return Resource(logical_id, "AWS::Scheduler::ScheduleGroup", name, arn, {"Arn": arn}, emulated=True)


def _create_schedule(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    """Recorded in moto's scheduler too (so `aws scheduler list-schedules` shows it); the schedule
    pump, not moto, fires it."""
    name = d._name_prop(p, "Name", logical_id, 64)
    group = p.get("GroupName") or "default"
    arn = f"arn:aws:scheduler:{d.model.region}:{d.model.account_id}:schedule/{group}/{name}"
    target = dict(p.get("Target") or {})
    try:
        req: dict[str, Any] = {
            "Name": name,
            "GroupName": group,
            "ScheduleExpression": p["ScheduleExpression"],
            "FlexibleTimeWindow": p.get("FlexibleTimeWindow") or {"Mode": "OFF"},
            "Target": {
                k: target[k]
                for k in ("Arn", "RoleArn", "Input", "RetryPolicy", "DeadLetterConfig")
                if k in target
            },
        }
        if p.get("State"):
            req["State"] = p["State"]
        arn = d.clients("scheduler").create_schedule(**req)["ScheduleArn"]
        emulated = True
    except Exception as exc:  # not essential: the pump is the scheduler
        log.debug("schedule %s not recorded in the emulator: %s", name, exc)
        emulated = False
    return Resource(logical_id, "AWS::Scheduler::Schedule", name, arn, {"Arn": arn}, emulated=emulated)


def _create_queue_policy(d: _Deployer, logical_id: str, p: dict[str, Any]) -> Resource:
    policy = json.dumps(p.get("PolicyDocument") or {})
    for url in p.get("Queues") or []:
        d.clients("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    return Resource(logical_id, "AWS::SQS::QueuePolicy", d.default_name(logical_id), None, {}, emulated=True)


_CREATORS: dict[str, Callable[[_Deployer, str, dict[str, Any]], Resource]] = {
    "AWS::DynamoDB::Table": _create_table,
    "AWS::SQS::Queue": _create_queue,
    "AWS::SQS::QueuePolicy": _create_queue_policy,
    "AWS::SNS::Topic": _create_topic,
    "AWS::SNS::Subscription": _create_subscription,
    "AWS::SecretsManager::Secret": _create_secret,
    "AWS::SSM::Parameter": _create_parameter,
    "AWS::S3::Bucket": _create_bucket,
    "AWS::Logs::LogGroup": _create_log_group,
    "AWS::Scheduler::ScheduleGroup": _create_schedule_group,
    "AWS::Scheduler::Schedule": _create_schedule,
}

EMULATED_TYPES = frozenset(_CREATORS)
