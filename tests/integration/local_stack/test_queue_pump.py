"""SQS → QueueConsumerFunction: partial batch failures, redelivery, redrive to the DLQ."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import SqsModel
from local_stack.stack import LocalStack

from .conftest import Recorded, wait_for

# one LocalStack per test session worker: keep this folder on one xdist worker
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]


def _deliveries(recorded: Recorded, label: str) -> list[dict[str, Any]]:
    return sorted(
        (r for r in recorded.items("sqs") if r.get("label") == label),
        key=lambda r: int(r["event"]["attributes"]["ApproximateReceiveCount"]),
    )


def _dlq_bodies(stack: LocalStack) -> list[dict[str, Any]]:
    assert stack.stack is not None
    sqs = stack.client("sqs")
    resp = sqs.receive_message(
        QueueUrl=stack.stack.queue_url("WorkDeadLetterQueue"), MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [json.loads(m["Body"]) for m in resp.get("Messages", [])]


def test_only_the_failed_message_is_redelivered_and_then_lands_in_the_dlq(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given a batch of three messages where the handler reports the middle one as failed
    assert local_stack.stack is not None
    tag = uuid.uuid4().hex[:6]
    local_stack.client("sqs").send_message_batch(
        QueueUrl=local_stack.stack.queue_url("WorkQueue"),
        Entries=[
            {
                "Id": "ok1",
                "MessageBody": json.dumps({"label": f"{tag}-ok1"}),
                "MessageAttributes": {"origin": {"DataType": "String", "StringValue": "test"}},
            },
            {"Id": "bad", "MessageBody": json.dumps({"label": f"{tag}-bad", "fail": True})},
            {"Id": "ok2", "MessageBody": json.dumps({"label": f"{tag}-ok2"})},
        ],
    )

    # When the pump delivers, the visibility timeout passes and maxReceiveCount (2) is reached
    wait_for(
        lambda: any(b.get("label") == f"{tag}-bad" for b in _dlq_bodies(local_stack)),
        timeout=30,
        what="the poison message in the DLQ",
    )

    # Then the successful messages were delivered once, the failed one exactly twice
    assert [
        r["event"]["attributes"]["ApproximateReceiveCount"] for r in _deliveries(recorded, f"{tag}-ok1")
    ] == ["1"]
    assert [
        r["event"]["attributes"]["ApproximateReceiveCount"] for r in _deliveries(recorded, f"{tag}-ok2")
    ] == ["1"]
    bad = _deliveries(recorded, f"{tag}-bad")
    assert [r["event"]["attributes"]["ApproximateReceiveCount"] for r in bad] == ["1", "2"]
    assert bad[0]["event"]["messageId"] == bad[1]["event"]["messageId"]
    # and each record has Lambda's SQS event shape
    rec = _deliveries(recorded, f"{tag}-ok1")[0]["event"]
    assert rec["eventSource"] == "aws:sqs"
    assert rec["eventSourceARN"] == local_stack.stack.arn("WorkQueue")
    assert rec["awsRegion"] == "us-east-1"
    assert rec["messageAttributes"]["origin"]["stringValue"] == "test"
    assert rec["messageAttributes"]["origin"]["dataType"] == "String"
    assert {"messageId", "receiptHandle", "body", "md5OfBody", "attributes"} <= set(rec)
    assert {"SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(rec["attributes"])
    SqsModel.model_validate({"Records": [rec]})  # Powertools' model of the SQS event


def test_a_handler_error_fails_the_whole_batch_until_the_redrive(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given a message that makes the handler raise
    assert local_stack.stack is not None
    label = f"crash-{uuid.uuid4().hex[:6]}"
    local_stack.client("sqs").send_message(
        QueueUrl=local_stack.stack.queue_url("WorkQueue"),
        MessageBody=json.dumps({"label": label, "crash": True}),
    )

    # When it is delivered until maxReceiveCount
    wait_for(
        lambda: any(b.get("label") == label for b in _dlq_bodies(local_stack)), timeout=30, what="the DLQ"
    )

    # Then it was delivered twice before the redrive
    assert len(_deliveries(recorded, label)) == 2


def test_a_handler_past_its_timeout_is_stopped_and_the_next_invocation_works(local_stack: LocalStack) -> None:
    # Given the queue consumer (Timeout: 2) and an event that makes it sleep for 5 seconds
    slow = {"Records": [_record({"label": "slow", "sleep": 5})]}

    # When it is invoked, and invoked again with a quick event
    timed_out = local_stack.invoke("QueueConsumerFunction", slow)
    quick = local_stack.invoke("QueueConsumerFunction", {"Records": [_record({"label": "quick"})]})

    # Then the first ends like a Lambda timeout and the second succeeds in a fresh sandbox
    assert not timed_out.ok
    assert timed_out.error_type == "Sandbox.Timedout"
    assert "timed out after 2.00 seconds" in timed_out.error_message
    assert quick.ok, quick.error
    assert quick.result == {"batchItemFailures": []}


def _record(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "x",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:direct",
        "awsRegion": "us-east-1",
    }
