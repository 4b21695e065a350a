"""Schedule ticks: on demand (Python and HTTP), retried then dead-lettered, and on their own clock."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
import requests
from local_stack.pumps import SchedulePump, next_fire
from local_stack.stack import LocalStack
from local_stack.workers import InvokeOutcome

from .conftest import Recorded, wait_for

# one LocalStack per test session worker: keep this folder on one xdist worker
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("local_stack")]


def test_a_tick_delivers_the_schedule_input_to_its_function(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given the hourly schedule of the test template
    before = len(recorded.items("schedule"))

    # When it is ticked on demand
    outcome = local_stack.tick("ScheduledFunctionHourly")

    # Then the function got the template's Input, its own environment and a Lambda-like context
    assert outcome.ok, outcome.error
    rows = sorted(recorded.items("schedule"), key=lambda r: r["sk"])
    assert len(rows) == before + 1
    last = rows[-1]
    assert last["event"] == {"job": "poll", "n": 1}
    assert last["only_here"] == "scheduled"
    assert last["function_name"] == "lstest-ScheduledFunction"
    assert 0 < int(last["remaining_ms"]) <= 5000


def test_the_http_tick_route_fires_a_schedule(local_stack: LocalStack, recorded: Recorded) -> None:
    # Given the running API server; When the local control route is called
    response = requests.post(
        f"{local_stack.api_url}/_local/schedules/ScheduledFunctionHourly/tick", timeout=30
    )

    # Then it answers with the function's result
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["result"] == {"ok": True}
    unknown = requests.post(f"{local_stack.api_url}/_local/schedules/Nope/tick", timeout=30)
    assert unknown.status_code == 404


def test_a_failing_tick_is_retried_then_sent_to_the_schedule_dlq(
    local_stack: LocalStack, recorded: Recorded
) -> None:
    # Given an input that makes the function raise (RetryPolicy: MaximumRetryAttempts 1)
    assert local_stack.stack is not None
    marker = {"fail": True, "marker": "dlq-test"}

    # When the schedule is ticked with it
    outcome = local_stack.tick("ScheduledFunctionHourly", marker)

    # Then the function ran twice and the input landed in the DLQ with the error attributes
    assert not outcome.ok
    runs = [r for r in recorded.items("schedule") if r["event"] == marker]
    assert len(runs) == 2
    sqs = local_stack.client("sqs")
    msgs = wait_for(
        lambda: sqs.receive_message(
            QueueUrl=local_stack.stack.queue_url("ScheduleDeadLetterQueue") if local_stack.stack else "",
            MessageAttributeNames=["All"],
        ).get("Messages"),
        what="the schedule DLQ message",
    )
    assert json.loads(msgs[0]["Body"]) == marker
    assert msgs[0]["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "RuntimeError"
    assert msgs[0]["MessageAttributes"]["RETRY_ATTEMPTS"]["StringValue"] == "1"


def test_schedules_fire_on_their_own_clock_with_a_speed_up(local_stack: LocalStack) -> None:
    # Given the deployed schedules and a pump whose clock runs 36000x (an hour in 0.1 s)
    assert local_stack.stack is not None
    got: list[Any] = []
    three = threading.Event()

    def invoke(function_id: str, event: Any) -> InvokeOutcome:
        got.append((function_id, event))
        if len(got) >= 3:
            three.set()
        return InvokeOutcome(True, result=None)

    pump = SchedulePump(local_stack.stack, invoke, local_stack._clients(), speedup=36000)

    # When it runs
    pump.start()
    try:
        fired = three.wait(timeout=20)
    finally:
        pump.stop()

    # Then the function is invoked repeatedly with the schedule's input
    assert fired
    assert got[0] == ("ScheduledFunction", {"job": "poll", "n": 1})


def test_schedule_expressions() -> None:
    # Given a reference time; When rate/cron/at expressions are evaluated; Then they fire when AWS would
    t = dt.datetime(2026, 12, 4, 10, 7, 30, tzinfo=dt.UTC)
    assert next_fire("rate(30 minutes)", t) == t + dt.timedelta(minutes=30)
    assert next_fire("rate(1 day)", t) == t + dt.timedelta(days=1)
    assert next_fire("cron(0/15 * * * ? *)", t) == dt.datetime(2026, 12, 4, 10, 15, tzinfo=dt.UTC)
    assert next_fire("cron(0 8 * * ? *)", t) == dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)
    # 2026-12-04 is a Friday; MON is the 7th
    assert next_fire("cron(30 9 ? * MON *)", t) == dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    assert next_fire("cron(0 0 1 JAN ? *)", t) == dt.datetime(2027, 1, 1, 0, 0, tzinfo=dt.UTC)
    assert next_fire("at(2026-12-04T11:00:00)", t) == dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.UTC)
    assert next_fire("at(2026-12-04T09:00:00)", t) is None
    # cron and at read in the schedule's timezone (São Paulo is UTC-3)
    assert next_fire("cron(0 3 * * ? *)", t, "America/Sao_Paulo") == dt.datetime(
        2026, 12, 5, 6, 0, tzinfo=dt.UTC
    )
    assert next_fire("at(2026-12-04T08:00:00)", t, "America/Sao_Paulo") == dt.datetime(
        2026, 12, 4, 11, 0, tzinfo=dt.UTC
    )


def test_functions_can_be_invoked_through_the_lambda_api(local_stack: LocalStack, recorded: Recorded) -> None:
    # Given boto3's Lambda client on the local stack (handlers get it through AWS_ENDPOINT_URL_LAMBDA)
    client = local_stack.client("lambda")
    marker = {"marker": "via-lambda-api"}

    # When a function is invoked synchronously, one that fails, and one that relays asynchronously
    ok = client.invoke(FunctionName="lstest-ScheduledFunction", Payload=json.dumps({"direct": 1}))
    failed = client.invoke(FunctionName="ScheduledFunction", Payload=json.dumps({"fail": True}))
    relayed = client.invoke(
        FunctionName=local_stack.stack.functions["ScheduledFunction"].arn if local_stack.stack else "",
        Payload=json.dumps({"relay_to": "lstest-ScheduledFunction", "payload": marker}),
    )

    # Then results and errors come back as Lambda returns them, and the relayed event arrives
    assert json.loads(ok["Payload"].read()) == {"ok": True}
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorMessage"] == "schedule failure requested"
    assert relayed["StatusCode"] == 200
    wait_for(lambda: any(r["event"] == marker for r in recorded.items("schedule")), what="the relayed event")
