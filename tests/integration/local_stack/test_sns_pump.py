"""SNS → TopicConsumerFunction: notifications in Lambda's SNS event shape, filter policy applied."""

from __future__ import annotations

import uuid

import pytest
from aws_lambda_powertools.utilities.parser.models import SnsModel
from local_stack.stack import LocalStack

from .conftest import Recorded, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]


def test_notifications_reach_the_subscribed_function_through_the_filter_policy(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given the events topic, whose subscription only takes kind=keep
    assert local_stack.stack is not None
    sns = local_stack.client("sns")
    topic = local_stack.stack.arn("EventsTopic")
    tag = uuid.uuid4().hex[:6]

    def publish(message: str, kind: str) -> None:
        sns.publish(
            TopicArn=topic,
            Message=message,
            Subject="test",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
        )

    # When one notification the policy drops and then one it keeps are published
    publish(f"{tag}-drop", "drop")
    publish(f"{tag}-keep", "keep")

    # Then the kept one arrives as Lambda's SNS event, and the dropped one never does
    rows = wait_for(
        lambda: [r for r in recorded.items("sns") if r["label"].startswith(tag)], what="the notification"
    )
    assert [r["label"] for r in rows] == [f"{tag}-keep"]
    record = rows[0]["event"]
    assert record["EventSource"] == "aws:sns"
    assert record["Sns"]["TopicArn"] == topic
    assert record["Sns"]["Subject"] == "test"
    assert record["Sns"]["MessageAttributes"]["kind"] == {"Type": "String", "Value": "keep"}
    assert record["EventSubscriptionArn"].startswith(topic + ":")
    SnsModel.model_validate({"Records": [record]})  # Powertools' model of the SNS event
