"""deploy(): the template's data resources exist in the emulator, named and shaped as declared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from local_stack.pumps import StreamPump, prune_shard_iterators
from local_stack.resources import DeployedStack, deploy
from local_stack.template import TemplateError, parse_template
from moto import mock_aws
from moto.server import ThreadedMotoServer

from .conftest import TEST_TEMPLATE

# one LocalStack per test session worker: keep this folder on one xdist worker
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]

REPO_TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def deployed(aws: None) -> DeployedStack:
    return deploy(TEST_TEMPLATE, stack_name="unit")


def test_tables_are_created_with_keys_indexes_and_streams(deployed: DeployedStack) -> None:
    # Given the test template deployed in-process under mock_aws()
    ddb = boto3.client("dynamodb", region_name="us-east-1")

    # When the tables are described
    items = ddb.describe_table(TableName="unit-items")["Table"]
    records = ddb.describe_table(TableName="unit-RecordsTable")["Table"]

    # Then names follow the template (explicit name, else <stack>-<LogicalId>) with keys, GSIs, streams
    assert deployed.table_name("ItemsTable") == "unit-items"
    assert deployed.table_name("RecordsTable") == "unit-RecordsTable"
    assert items["KeySchema"] == [{"AttributeName": "itemId", "KeyType": "HASH"}]
    gsi = items["GlobalSecondaryIndexes"][0]
    assert gsi["IndexName"] == "ByKind"
    assert gsi["KeySchema"] == [
        {"AttributeName": "kind", "KeyType": "HASH"},
        {"AttributeName": "itemId", "KeyType": "RANGE"},
    ]
    assert items["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert deployed.resources["ItemsTable"].attributes["StreamArn"] == items["LatestStreamArn"]
    assert items["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [k["AttributeName"] for k in records["KeySchema"]] == ["pk", "sk"]


def test_queues_are_created_with_redrive_to_the_dead_letter_queue(deployed: DeployedStack) -> None:
    # Given the test template deployed
    sqs = boto3.client("sqs", region_name="us-east-1")

    # When the work queue's attributes are read
    attrs = sqs.get_queue_attributes(QueueUrl=deployed.queue_url("WorkQueue"), AttributeNames=["All"])[
        "Attributes"
    ]

    # Then the visibility timeout and the redrive policy (to the DLQ's ARN) are the template's
    assert attrs["VisibilityTimeout"] == "2"
    redrive = json.loads(attrs["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == deployed.arn("WorkDeadLetterQueue")
    assert int(redrive["maxReceiveCount"]) == 2
    assert deployed.arn("WorkDeadLetterQueue").endswith(":unit-work-dlq")
    assert sqs.get_queue_url(QueueName="unit-StreamFailuresQueue")["QueueUrl"] == deployed.queue_url(
        "StreamFailuresQueue"
    )
    topics = boto3.client("sns", region_name="us-east-1").list_topics()["Topics"]
    assert {"TopicArn": deployed.arn("AlarmTopic")} in topics


def test_functions_mappings_schedules_and_routes_are_read_from_the_template(deployed: DeployedStack) -> None:
    # Given the test template deployed; When its functions and event sources are inspected
    fn = deployed.functions["ScheduledFunction"]
    stream = deployed.event_source_mappings["StreamConsumerFunctionItemChanges"]
    queue = deployed.event_source_mappings["QueueConsumerFunctionWork"]
    schedule = deployed.schedules["ScheduledFunctionHourly"]
    api = deployed.apis["TestApi"]

    # Then environment variables are resolved to physical names (Globals merged with the function's)
    assert fn.environment["RECORDS_TABLE"] == "unit-RecordsTable"
    assert fn.environment["ONLY_HERE"] == "scheduled"
    assert fn.code_dir == TEST_TEMPLATE.parent / "functions" / "recorder"
    assert (fn.module, fn.attr, fn.timeout, fn.memory_size) == ("app", "schedule_handler", 5, 128)
    # and the mappings carry what the Lambda service would honour
    assert stream.source_arn == deployed.resources["ItemsTable"].attributes["StreamArn"]
    assert stream.report_batch_item_failures and stream.bisect_on_error
    assert stream.maximum_retry_attempts == 1
    assert stream.on_failure_arn == deployed.arn("StreamFailuresQueue")
    assert stream.filter_patterns[0]["dynamodb"]["NewImage"]["kind"]["S"] == ["item"]
    assert (queue.source_kind, queue.queue_url, queue.batch_size) == (
        "sqs",
        deployed.queue_url("WorkQueue"),
        10,
    )
    assert schedule.expression == "rate(1 hour)"
    assert json.loads(schedule.input or "") == {"job": "poll", "n": 1}
    assert schedule.dead_letter_arn == deployed.arn("ScheduleDeadLetterQueue")
    assert schedule.maximum_retry_attempts == 1
    assert api.stage == "test"
    routes = {(r.method, r.path): r.authorizer for r in api.routes if r.mock is None}
    assert routes == {
        ("GET", "/items/{itemId}"): "TokenAuthorizer",
        ("POST", "/items/{itemId}/crash"): "TokenAuthorizer",
        ("GET", "/health"): None,
    }
    preflight = {r.path for r in api.routes if r.method == "OPTIONS" and r.mock is not None}
    assert preflight == {"/items/{itemId}", "/items/{itemId}/crash", "/health"}
    assert api.authorizers["TokenAuthorizer"].ttl_seconds == 30
    assert api.gateway_responses["UNAUTHORIZED"].headers == {"X-Gateway-Response": "unauthorized"}
    assert deployed.outputs == {"ItemsTableName": "unit-items"}


def test_deploying_twice_into_the_same_emulator_adopts_existing_resources(aws: None) -> None:
    # Given a deployed stack
    first = deploy(TEST_TEMPLATE, stack_name="twice")

    # When the same template is deployed again under the same stack name
    second = deploy(TEST_TEMPLATE, stack_name="twice")

    # Then the same physical resources are described
    assert second.queue_url("WorkQueue") == first.queue_url("WorkQueue")
    assert second.table_name("ItemsTable") == first.table_name("ItemsTable")


def test_parameter_overrides_reach_function_environments(aws: None) -> None:
    # Given a parameter override; When deployed
    stack = deploy(TEST_TEMPLATE, stack_name="params", parameter_overrides={"Greeting": "olá"})

    # Then the functions see the overridden value; unknown parameters are refused
    assert stack.functions["ApiFunction"].environment["GREETING"] == "olá"
    with pytest.raises(TemplateError):
        parse_template(TEST_TEMPLATE, parameter_overrides={"Nope": "x"})


@pytest.mark.skipif(not REPO_TEMPLATE.exists(), reason="no template.yaml at the repo root yet")
def test_the_repository_template_deploys_in_process(aws: None) -> None:
    # Given the project's own template.yaml; When deployed under mock_aws()
    stack = deploy(REPO_TEMPLATE, stack_name="repo")

    # Then every table it declares exists and every function's table variables point at them
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    declared = [r for r in stack.resources.values() if r.type == "AWS::DynamoDB::Table"]
    assert declared
    existing = set(ddb.list_tables()["TableNames"])
    assert {r.physical_id for r in declared} <= existing
    for fn in stack.functions.values():
        for key, value in fn.environment.items():
            if key.endswith("_TABLE"):
                assert value in existing, (fn.logical_id, key)


def test_pruning_keeps_only_the_shard_iterators_pumps_hold() -> None:
    # Given a stack deployed into an in-process moto server (as `make run` runs it), a stream record,
    # and several iterators issued by GetRecords polling
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        creds = {
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
            "region_name": "us-east-1",
        }
        stack = deploy(
            TEST_TEMPLATE,
            stack_name="prune",
            endpoint_url=endpoint,
            session_or_clients=boto3.session.Session(**creds),
        )
        boto3.client("dynamodb", endpoint_url=endpoint, **creds).put_item(
            TableName="prune-items", Item={"itemId": {"S": "1"}, "kind": {"S": "item"}}
        )
        streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, **creds)
        arn = stack.resources["ItemsTable"].attributes["StreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        first = streams.get_records(ShardIterator=iterator)
        assert len(first["Records"]) == 1
        iterator = first["NextShardIterator"]
        for _ in range(5):
            iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]
        holder = StreamPump.__new__(StreamPump)
        holder.iterators = {shard: iterator}

        # When unheld iterators are pruned
        dropped = prune_shard_iterators([holder])

        # Then the others are gone and the held one still reads from where it was
        assert dropped >= 6
        assert streams.get_records(ShardIterator=iterator)["Records"] == []
    finally:
        server.stop()
