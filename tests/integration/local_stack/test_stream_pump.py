"""DynamoDB stream → StreamConsumerFunction, as the Lambda service delivers it."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamModel
from local_stack.pumps import StreamPump
from local_stack.stack import LocalStack

from .conftest import Recorded, wait_for

# one LocalStack per test session worker: keep this folder on one xdist worker
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]


def _put(stack: LocalStack, item_id: str, kind: str = "item", fail: str | None = None) -> None:
    item = {"itemId": {"S": item_id}, "kind": {"S": kind}}
    if fail:
        item["fail"] = {"S": fail}
    assert stack.stack is not None
    stack.client("dynamodb").put_item(TableName=stack.stack.table_name("ItemsTable"), Item=item)


def _delivered(recorded: Recorded, prefix: str) -> list[dict[str, Any]]:
    """Records the handler accepted for items whose id starts with prefix, in handling order."""
    rows = sorted(recorded.items("stream"), key=lambda r: r["sk"])
    return [r["event"] for r in rows if r["event"]["dynamodb"]["Keys"]["itemId"]["S"].startswith(prefix)]


def _seq_of(recorded: Recorded, item_id: str) -> str | None:
    """The stream sequence number of an item's record, from the batches the handler received."""
    for row in recorded.items("stream-batch"):
        for r in row["event"]["Records"]:
            if r["dynamodb"]["Keys"]["itemId"]["S"] == item_id:
                return str(r["dynamodb"]["SequenceNumber"])
    return None


def _failure_record(stack: LocalStack, start_seq: str) -> dict[str, Any] | None:
    """The on-failure record whose batch starts at start_seq, if it is in the queue."""
    assert stack.stack is not None
    sqs = stack.client("sqs")
    url = stack.stack.queue_url("StreamFailuresQueue")
    for msg in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
        "Messages", []
    ):
        body = json.loads(msg["Body"])
        if body["DDBStreamBatchInfo"]["startSequenceNumber"] == start_seq:
            return body  # type: ignore[no-any-return]
    return None


def _batches_with(recorded: Recorded, item_id: str) -> int:
    count = 0
    for row in recorded.items("stream-batch"):
        ids = [r["dynamodb"]["Keys"]["itemId"]["S"] for r in row["event"]["Records"]]
        count += item_id in ids
    return count


def test_stream_records_arrive_filtered_in_order_and_in_aws_shape(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given three items and one the filter excludes (kind "other"), written in this order
    p = f"order-{uuid.uuid4().hex[:6]}-"
    _put(local_stack, p + "1")
    _put(local_stack, p + "x", kind="other")
    _put(local_stack, p + "2")
    _put(local_stack, p + "3")

    # When the stream pump delivers them
    got = wait_for(lambda: len(_delivered(recorded, p)) >= 3 and _delivered(recorded, p), what="3 records")

    # Then exactly the matching ones arrive, in write order, shaped like Lambda's DynamoDB event
    assert [r["dynamodb"]["Keys"]["itemId"]["S"] for r in got] == [p + "1", p + "2", p + "3"]
    first = got[0]
    assert local_stack.stack is not None
    assert first["eventSource"] == "aws:dynamodb"
    assert first["eventName"] == "INSERT"
    assert first["awsRegion"] == "us-east-1"
    assert first["eventSourceARN"] == local_stack.stack.resources["ItemsTable"].attributes["StreamArn"]
    assert first["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert first["dynamodb"]["NewImage"]["kind"] == {"S": "item"}
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], int)
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in got]
    assert seqs == sorted(seqs)
    # and the records validate against Powertools' model of the DynamoDB stream event
    parsed = DynamoDBStreamModel.model_validate({"Records": got})
    assert parsed.Records[0].dynamodb.NewImage == {"itemId": p + "1", "kind": "item"}


def test_a_reported_item_failure_is_retried_from_that_record_keeping_order(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given an item whose first delivery the handler reports as failed, and one written after it
    p = f"retry-{uuid.uuid4().hex[:6]}-"
    _put(local_stack, p + "a", fail="once")
    _put(local_stack, p + "b")

    # When the pump delivers, gets the batch item failure, and retries
    got = wait_for(
        lambda: len(_delivered(recorded, p)) >= 2 and _delivered(recorded, p), what="retried records"
    )

    # Then both are accepted exactly once, the failed one first, after being delivered twice
    assert [r["dynamodb"]["Keys"]["itemId"]["S"] for r in got] == [p + "a", p + "b"]
    assert _batches_with(recorded, p + "a") == 2


def test_a_record_that_keeps_failing_goes_to_the_on_failure_queue_and_the_stream_moves_on(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given an item the handler always reports as failed (MaximumRetryAttempts is 1)
    p = f"poison-{uuid.uuid4().hex[:6]}-"
    assert local_stack.stack is not None
    _put(local_stack, p + "bad", fail="always")

    # When the retries are exhausted
    bad_seq = wait_for(lambda: _seq_of(recorded, p + "bad"), what="the first delivery")
    info = wait_for(lambda: _failure_record(local_stack, bad_seq), what="an on-failure record")

    # Then the on-failure destination gets Lambda's invocation record for that batch
    batch = info["DDBStreamBatchInfo"]
    assert batch["batchSize"] == 1
    assert batch["streamArn"] == local_stack.stack.resources["ItemsTable"].attributes["StreamArn"]
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["requestContext"]["approximateInvokeCount"] == 2
    assert _batches_with(recorded, p + "bad") == 2
    # and a later record is still delivered: the shard is not stuck
    _put(local_stack, p + "next")
    wait_for(lambda: _delivered(recorded, p + "next"), what="the next record")
    assert _delivered(recorded, p + "bad") == []


def test_the_pump_resumes_from_its_checkpoint_when_its_iterator_is_lost(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given the running stream pump, whose shard iterator becomes unknown to the stream
    pump = next(p for p in local_stack.pumps if isinstance(p, StreamPump))
    p = f"resume-{uuid.uuid4().hex[:6]}-"
    _put(local_stack, p + "1")
    wait_for(lambda: _delivered(recorded, p + "1"), what="the first record")
    for shard in list(pump.iterators):
        pump.iterators[shard] = "arn:aws:dynamodb:us-east-1:123456789012:table/x/stream/y|1|lost"

    # When more records are written
    _put(local_stack, p + "2")
    _put(local_stack, p + "3")

    # Then delivery continues after the last record done: nothing repeated, nothing skipped
    got = wait_for(lambda: len(_delivered(recorded, p)) >= 3 and _delivered(recorded, p), what="3 records")
    assert [r["dynamodb"]["Keys"]["itemId"]["S"] for r in got] == [p + "1", p + "2", p + "3"]


def test_a_batch_that_crashes_the_handler_is_bisected_down_to_the_bad_record(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given a record that makes the handler raise, between two good ones, written in one request
    assert local_stack.stack is not None
    p = f"bisect-{uuid.uuid4().hex[:6]}-"
    table = local_stack.stack.table_name("ItemsTable")
    local_stack.client("dynamodb").batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": {"itemId": {"S": p + "1"}, "kind": {"S": "item"}}}},
                {
                    "PutRequest": {
                        "Item": {"itemId": {"S": p + "crash"}, "kind": {"S": "item"}, "fail": {"S": "crash"}}
                    }
                },
                {"PutRequest": {"Item": {"itemId": {"S": p + "2"}, "kind": {"S": "item"}}}},
            ]
        }
    )

    # When the pump delivers, the handler raises, the batch is split and retried
    crash_seq = wait_for(lambda: _seq_of(recorded, p + "crash"), what="the crash delivery")
    info = wait_for(lambda: _failure_record(local_stack, crash_seq), what="the on-failure record")

    # Then the good records are accepted (at least once: "1" may be seen again after a retry of its
    # batch) and only the crashing one is given up on
    ids = wait_for(
        lambda: (
            {r["dynamodb"]["Keys"]["itemId"]["S"] for r in _delivered(recorded, p)} >= {p + "1", p + "2"}
            and {r["dynamodb"]["Keys"]["itemId"]["S"] for r in _delivered(recorded, p)}
        ),
        what="the good records",
    )
    assert ids == {p + "1", p + "2"}
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1
    assert info["responseContext"]["functionError"] == "Unhandled"


def test_the_batching_window_coalesces_changes_into_one_invocation(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given a consumer with MaximumBatchingWindowInSeconds 5, and four changes written one by one
    # (well within the window, each a separate request the pump could otherwise deliver alone)
    assert local_stack.stack is not None
    p = f"window-{uuid.uuid4().hex[:6]}-"
    ddb = local_stack.client("dynamodb")
    for n in range(4):
        ddb.put_item(
            TableName=local_stack.stack.table_name("ChangesTable"), Item={"itemId": {"S": f"{p}{n}"}}
        )
        time.sleep(0.2)

    # When the window closes
    got = wait_for(lambda: len(_delivered(recorded, p)) >= 4 and _delivered(recorded, p), what="4 changes")

    # Then the handler got them in a single batch, in order
    assert [r["dynamodb"]["Keys"]["itemId"]["S"] for r in got] == [f"{p}{n}" for n in range(4)]
    assert _batches_with(recorded, f"{p}0") == 1
    assert _batches_with(recorded, f"{p}3") == 1
    batch = next(
        row["event"]["Records"]
        for row in recorded.items("stream-batch")
        if any(r["dynamodb"]["Keys"]["itemId"]["S"] == f"{p}0" for r in row["event"]["Records"])
    )
    assert len(batch) == 4
