"""Event pumps: what the Lambda service and EventBridge Scheduler do, done locally.

- :class:`StreamPump`: DynamoDB stream → function, per ``AWS::Lambda::EventSourceMapping``:
  batch size, filter criteria, in order per shard, ``ReportBatchItemFailures`` (resume from the
  lowest failed sequence number), ``MaximumRetryAttempts``, ``BisectBatchOnFunctionError``, the
  on-failure destination (SQS queue or SNS topic).
- :class:`QueuePump`: SQS → function: receive up to the batch size with the queue's visibility
  timeout, delete what succeeded, leave failures for redelivery, ``batchItemFailures``; the
  queue's redrive policy moves poison messages to the DLQ (moto does it on receive).
- :class:`SnsPump`: SNS → function, through a bridge queue subscribed to the topic (with the
  subscription's filter policy); asynchronous-invocation retries.
- :class:`SchedulePump`: schedule ticks (``rate``/``cron``/``at``) with the target's ``Input``,
  retried per ``RetryPolicy``, then the DLQ; ``tick()`` fires one on demand.

Every pump calls ``invoke(function_id, event) -> InvokeOutcome`` (``workers.Workers.invoke``).
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from local_stack.filters import matches_any
from local_stack.resources import DeployedStack, EventSourceMapping, Schedule, SnsSubscription
from local_stack.workers import InvokeOutcome

log = logging.getLogger("local_stack.pumps")

Invoke = Callable[[str, Any], InvokeOutcome]
ClientMaker = Callable[[str], Any]

POLL_INTERVAL = float(os.environ.get("LOCAL_STACK_POLL_INTERVAL", "0.1"))
RETRY_BACKOFF_MAX = 1.0


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


class _Pump:
    name = "pump"

    def __init__(self, stack: DeployedStack, invoke: Invoke, clients: ClientMaker) -> None:
        self.stack = stack
        self.invoke = invoke
        self.clients = clients
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run_safely, name=self.name, daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _run_safely(self) -> None:
        while not self._stop.is_set():
            try:
                self.run()
                return
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("%s crashed; restarting in 1 s", self.name)
                self._stop.wait(1.0)

    def run(self) -> None:
        raise NotImplementedError

    def _backoff(self, attempt: int) -> None:
        self._stop.wait(min(RETRY_BACKOFF_MAX, 0.1 * (2**attempt)))

    def _send_to_destination(self, arn: str, message: Any, attributes: dict[str, Any] | None = None) -> None:
        body = message if isinstance(message, str) else json.dumps(message)
        if ":sqs:" in arn:
            url = self.stack.queue_url_for_arn(arn)
            if url is None:
                name = arn.rsplit(":", 1)[1]
                url = self.clients("sqs").get_queue_url(QueueName=name)["QueueUrl"]
            req: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
            if attributes:
                req["MessageAttributes"] = attributes
            self.clients("sqs").send_message(**req)
        elif ":sns:" in arn:
            self.clients("sns").publish(TopicArn=arn, Message=body)
        else:
            log.warning("destination %s is not emulated; dropped", arn)


# ----------------------------------------------------------------------------------- DynamoDB streams


def _attr_to_event(value: Any) -> Any:
    """boto3 returns binary attribute values as bytes; the Lambda event carries base64 text."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {k: _attr_to_event(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_attr_to_event(v) for v in value]
    return value


def stream_record_to_event(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A dynamodbstreams ``GetRecords`` record → the record Lambda delivers."""
    ddb = dict(record.get("dynamodb", {}))
    created = ddb.get("ApproximateCreationDateTime")
    if isinstance(created, dt.datetime):
        ddb["ApproximateCreationDateTime"] = int(created.timestamp())
    out: dict[str, Any] = {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": _attr_to_event(ddb),
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in record:
        out["userIdentity"] = record["userIdentity"]
    return out


class StreamPump(_Pump):
    def __init__(
        self, stack: DeployedStack, mapping: EventSourceMapping, invoke: Invoke, clients: ClientMaker
    ) -> None:
        super().__init__(stack, invoke, clients)
        self.mapping = mapping
        self.name = f"stream:{mapping.logical_id}"
        self.delivered = 0
        self.checkpoints: dict[str, str | None] = {}  # shard → last sequence number done
        self.iterators: dict[str, str] = {}

    def run(self) -> None:
        m = self.mapping
        streams = self.clients("dynamodbstreams")
        desc = streams.describe_stream(StreamArn=m.source_arn)["StreamDescription"]
        start = "LATEST" if (m.starting_position or "LATEST") == "LATEST" else "TRIM_HORIZON"
        for shard in (s["ShardId"] for s in desc.get("Shards", [])):
            if shard not in self.checkpoints:
                self.checkpoints[shard] = None  # nothing done yet: (re)start from StartingPosition
                self.iterators[shard] = self._iterator(streams, shard, start)
        log.info("stream %s → %s (%s)", m.source_id, m.function_id, start)
        window = float(m.batching_window_seconds)
        pending: dict[str, list[dict[str, Any]]] = {}  # filtered records waiting for the batch window
        pending_since: dict[str, float] = {}
        pending_last: dict[str, str] = {}  # last raw sequence number read into pending
        while not self._stop.is_set():
            busy = False
            for shard in list(self.iterators):
                batch = pending.setdefault(shard, [])
                iterator = self.iterators.get(shard) or self._iterator(streams, shard, start)
                limit = max(1, min(m.batch_size - len(batch), 1000))
                try:
                    resp = streams.get_records(ShardIterator=iterator, Limit=limit)
                except Exception as exc:  # expired/unknown iterator: re-read from the checkpoint
                    log.debug("stream %s: iterator lost (%s); resuming from the checkpoint", m.source_id, exc)
                    batch.clear()
                    pending_since.pop(shard, None)
                    self.iterators[shard] = self._iterator(streams, shard, start)
                    continue
                self.iterators[shard] = resp.get("NextShardIterator") or ""
                records = resp.get("Records", [])
                if records:
                    busy = True
                    events = [stream_record_to_event(r, m.source_arn, self.stack.region) for r in records]
                    batch += [e for e in events if matches_any(m.filter_patterns, e)]
                    pending_last[shard] = records[-1]["dynamodb"]["SequenceNumber"]
                    if not batch:  # everything filtered out: nothing to deliver, move on
                        self.checkpoints[shard] = pending_last[shard]
                        continue
                    pending_since.setdefault(shard, time.monotonic())
                if not batch:
                    continue
                full = len(batch) >= m.batch_size
                if not full and time.monotonic() - pending_since[shard] < window:
                    continue  # MaximumBatchingWindowInSeconds: wait for more records
                if not self._deliver(shard, list(batch)):
                    return  # stopping: the checkpoint is not advanced
                self.checkpoints[shard] = pending_last[shard]
                batch.clear()
                pending_since.pop(shard, None)
            if not busy:
                self._stop.wait(POLL_INTERVAL)

    def _iterator(self, streams: Any, shard: str, start: str) -> str:
        checkpoint = self.checkpoints.get(shard)
        req: dict[str, Any] = {"StreamArn": self.mapping.source_arn, "ShardId": shard}
        if checkpoint is None:
            req["ShardIteratorType"] = start
        else:
            req["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER"
            req["SequenceNumber"] = checkpoint
        return str(streams.get_shard_iterator(**req)["ShardIterator"])

    def current_iterators(self) -> set[str]:
        return {i for i in self.iterators.values() if i}

    def _deliver(self, shard: str, batch: list[dict[str, Any]]) -> bool:
        """Deliver one batch until it succeeds or is given up on; False if stopping."""
        m = self.mapping
        attempts = 0
        while batch:
            if self._stop.is_set():
                return False
            outcome = self.invoke(m.function_id, {"Records": batch})
            seqs = [r["dynamodb"]["SequenceNumber"] for r in batch]
            failed_from: int | None = None
            if outcome.ok:
                failed_from = self._first_failed(batch, outcome.result)
                if failed_from is None:
                    self.delivered += len(batch)
                    log.info("stream %s → %s: %d records ok", m.source_id, m.function_id, len(batch))
                    return True
                self.delivered += failed_from
                log.info(
                    "stream %s → %s: %d ok, retrying from %s",
                    m.source_id,
                    m.function_id,
                    failed_from,
                    seqs[failed_from],
                )
                batch = batch[failed_from:]
            elif m.bisect_on_error and len(batch) > 1:
                half = len(batch) // 2
                log.info(
                    "stream %s → %s: error, bisecting %d records", m.source_id, m.function_id, len(batch)
                )
                return self._deliver(shard, batch[:half]) and self._deliver(shard, batch[half:])
            if 0 <= m.maximum_retry_attempts <= attempts:
                self._on_failure(shard, batch, outcome, attempts + 1)
                return True
            attempts += 1
            self._backoff(attempts)
        return True

    def _first_failed(self, batch: list[dict[str, Any]], result: Any) -> int | None:
        """Index of the first record to retry, or None if the whole batch succeeded."""
        if not self.mapping.report_batch_item_failures or not isinstance(result, dict):
            return None
        failures = result.get("batchItemFailures") or []
        if not failures:
            return None
        seqs = [r["dynamodb"]["SequenceNumber"] for r in batch]
        indexes = []
        for f in failures:
            ident = f.get("itemIdentifier") if isinstance(f, dict) else None
            if not ident or ident not in seqs:
                return 0  # an invalid identifier fails the whole batch (as Lambda does)
            indexes.append(seqs.index(ident))
        return min(indexes)

    def _on_failure(
        self, shard: str, batch: list[dict[str, Any]], outcome: InvokeOutcome, invokes: int
    ) -> None:
        m = self.mapping
        log.warning(
            "stream %s → %s: giving up on %d records after %d invocations",
            m.source_id,
            m.function_id,
            len(batch),
            invokes,
        )
        if not m.on_failure_arn:
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        fn = self.stack.functions.get(m.function_id)

        def arrival(rec: dict[str, Any]) -> str:
            ts = rec.get("ApproximateCreationDateTime")
            return _iso(dt.datetime.fromtimestamp(float(ts), dt.UTC)) if ts else _iso(_utcnow())

        record = {
            "requestContext": {
                "requestId": outcome.request_id,
                "functionArn": fn.arn if fn else m.function_id,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invokes,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "" if outcome.ok else "Unhandled",
            },
            "version": "1.0",
            "timestamp": _iso(_utcnow()),
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": arrival(first),
                "approximateArrivalOfLastRecord": arrival(last),
                "batchSize": len(batch),
                "streamArn": m.source_arn,
            },
        }
        self._send_to_destination(m.on_failure_arn, record)


def prune_shard_iterators(pumps: list[StreamPump], keep_seconds: float = 0.0) -> int:
    """moto keeps every shard iterator it ever issued (one per GetRecords call); in a long-running
    in-process (ThreadedMotoServer) stack drop those no pump holds. A pump whose iterator vanishes
    anyway resumes from its checkpoint. Returns how many were dropped."""
    try:
        from moto.dynamodbstreams.models import dynamodbstreams_backends
    except ImportError:
        return 0
    keep: set[str] = set()
    for pump in pumps:
        keep |= pump.current_iterators()
    dropped = 0
    for _account, _region, backend in dynamodbstreams_backends.iter_backends():
        issued: dict[str, Any] = getattr(backend, "shard_iterators", {})
        for arn in list(issued):
            if arn not in keep:
                issued.pop(arn, None)
                dropped += 1
    return dropped


# ----------------------------------------------------------------------------------- SQS


def sqs_message_to_record(msg: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """An SQS ``ReceiveMessage`` message → the record Lambda delivers."""
    attrs = {k: str(v) for k, v in (msg.get("Attributes") or {}).items()}
    message_attributes = {}
    for name, value in (msg.get("MessageAttributes") or {}).items():
        entry: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType"),
        }
        if "StringValue" in value:
            entry["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            entry["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        message_attributes[name] = entry
    record: dict[str, Any] = {
        "messageId": msg["MessageId"],
        "receiptHandle": msg["ReceiptHandle"],
        "body": msg.get("Body", ""),
        "attributes": attrs,
        "messageAttributes": message_attributes,
        "md5OfBody": msg.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if msg.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = msg["MD5OfMessageAttributes"]
    return record


def _filter_view(record: dict[str, Any]) -> dict[str, Any]:
    """Lambda filters SQS messages on the record with a JSON body parsed."""
    try:
        body = json.loads(record["body"])
    except (ValueError, TypeError):
        return record
    return {**record, "body": body}


class QueuePump(_Pump):
    def __init__(
        self, stack: DeployedStack, mapping: EventSourceMapping, invoke: Invoke, clients: ClientMaker
    ) -> None:
        super().__init__(stack, invoke, clients)
        self.mapping = mapping
        self.name = f"sqs:{mapping.logical_id}"

    def run(self) -> None:
        m = self.mapping
        sqs = self.clients("sqs")
        assert m.queue_url is not None
        log.info("queue %s → %s", m.source_id, m.function_id)
        while not self._stop.is_set():
            messages = self._receive(sqs)
            if not messages:
                self._stop.wait(POLL_INTERVAL)
                continue
            records = [sqs_message_to_record(msg, m.source_arn, self.stack.region) for msg in messages]
            selected: list[dict[str, Any]] = []
            dropped: list[dict[str, Any]] = []
            for rec in records:
                (selected if matches_any(m.filter_patterns, _filter_view(rec)) else dropped).append(rec)
            self._delete(sqs, dropped)  # filtered out: Lambda deletes them
            if selected:
                self._deliver(sqs, selected)

    def _receive(self, sqs: Any) -> list[dict[str, Any]]:
        m = self.mapping
        messages: list[dict[str, Any]] = []
        window_end = time.monotonic() + m.batching_window_seconds
        while len(messages) < m.batch_size and not self._stop.is_set():
            resp = sqs.receive_message(
                QueueUrl=m.queue_url,
                MaxNumberOfMessages=max(1, min(10, m.batch_size - len(messages))),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
                WaitTimeSeconds=0,
            )
            got = resp.get("Messages", [])
            messages += got
            if not got:
                if not messages or time.monotonic() >= window_end:
                    break
                self._stop.wait(POLL_INTERVAL)
            elif time.monotonic() >= window_end and len(got) < 10:
                break
        return messages

    def _deliver(self, sqs: Any, records: list[dict[str, Any]]) -> None:
        m = self.mapping
        outcome = self.invoke(m.function_id, {"Records": records})
        if not outcome.ok:
            log.info(
                "queue %s → %s: %d messages failed (%s); redelivered after the visibility timeout",
                m.source_id,
                m.function_id,
                len(records),
                outcome.error_type,
            )
            return
        failed = self._failed_ids(records, outcome.result)
        if failed is None:  # whole batch failed (invalid response)
            log.info(
                "queue %s → %s: invalid batchItemFailures; whole batch retried", m.source_id, m.function_id
            )
            return
        done = [r for r in records if r["messageId"] not in failed]
        self._delete(sqs, done)
        log.info(
            "queue %s → %s: %d ok, %d failed", m.source_id, m.function_id, len(done), len(records) - len(done)
        )

    def _failed_ids(self, records: list[dict[str, Any]], result: Any) -> set[str] | None:
        if not self.mapping.report_batch_item_failures or not isinstance(result, dict):
            return set()
        ids = {r["messageId"] for r in records}
        failed = set()
        for f in result.get("batchItemFailures") or []:
            ident = f.get("itemIdentifier") if isinstance(f, dict) else None
            if not ident or ident not in ids:
                return None
            failed.add(ident)
        return failed

    def _delete(self, sqs: Any, records: list[dict[str, Any]]) -> None:
        for i in range(0, len(records), 10):
            chunk = records[i : i + 10]
            sqs.delete_message_batch(
                QueueUrl=self.mapping.queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": r["receiptHandle"]} for n, r in enumerate(chunk)],
            )


# ----------------------------------------------------------------------------------- SNS


def sns_envelope_to_record(envelope: dict[str, Any], subscription_arn: str) -> dict[str, Any]:
    """The SNS notification SQS received (JSON envelope) → the record Lambda gets from SNS."""
    attributes = {
        name: {"Type": value.get("Type"), "Value": value.get("Value")}
        for name, value in (envelope.get("MessageAttributes") or {}).items()
    }
    return {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": envelope.get("Type", "Notification"),
            "MessageId": envelope.get("MessageId"),
            "TopicArn": envelope.get("TopicArn"),
            "Subject": envelope.get("Subject"),
            "Message": envelope.get("Message"),
            "Timestamp": envelope.get("Timestamp"),
            "SignatureVersion": envelope.get("SignatureVersion", "1"),
            "Signature": envelope.get("Signature", "EXAMPLE"),
            "SigningCertUrl": envelope.get("SigningCertURL", ""),
            "UnsubscribeUrl": envelope.get("UnsubscribeURL", ""),
            "MessageAttributes": attributes,
        },
    }


class SnsPump(_Pump):
    """SNS → function: Lambda's asynchronous invocation, one notification per event, errors retried
    twice, then dropped (logged)."""

    def __init__(
        self, stack: DeployedStack, subscription: SnsSubscription, invoke: Invoke, clients: ClientMaker
    ) -> None:
        super().__init__(stack, invoke, clients)
        self.subscription = subscription
        self.name = f"sns:{subscription.logical_id}"

    def run(self) -> None:
        sub = self.subscription
        sqs = self.clients("sqs")
        topic = sub.topic_arn.rsplit(":", 1)[-1]
        log.info("topic %s → %s", topic, sub.function_id)
        while not self._stop.is_set():
            messages = sqs.receive_message(
                QueueUrl=sub.bridge_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                self._stop.wait(POLL_INTERVAL)
                continue
            for msg in messages:
                record = sns_envelope_to_record(json.loads(msg["Body"]), sub.subscription_arn)
                for attempt in range(3):
                    outcome = self.invoke(sub.function_id, {"Records": [record]})
                    if outcome.ok or self._stop.is_set():
                        break
                    self._backoff(attempt + 1)
                else:
                    log.warning("topic %s → %s: failed 3 times; notification dropped", topic, sub.function_id)
                if outcome.ok:
                    log.info("topic %s → %s: ok", topic, sub.function_id)
                sqs.delete_message(QueueUrl=sub.bridge_queue_url, ReceiptHandle=msg["ReceiptHandle"])


# ----------------------------------------------------------------------------------- schedules

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _cron_field(text: str, lo: int, hi: int, names: dict[str, int] | None = None) -> set[int] | None:
    """Values a cron field allows (None = any). Supports * ? lists ranges steps and names;
    L/W/# are approximated as any."""
    if text in ("*", "?") or any(c in text for c in "LW#"):
        return None
    out: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = lo, hi
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _cron_value(a, names), _cron_value(b, names)
        else:
            start = _cron_value(part, names)
            end = hi if step > 1 else start
        out.update(range(start, end + 1, step))
    return out


def _cron_value(text: str, names: dict[str, int] | None) -> int:
    return names[text.upper()] if names and text.upper() in names else int(text)


def next_fire(expression: str, after: dt.datetime, timezone: str | None = None) -> dt.datetime | None:
    """The first time after ``after`` a ``rate``/``cron``/``at`` expression fires (cron and at are read
    in ``timezone``, default UTC; the result is in UTC)."""
    expression = expression.strip()
    zone: dt.tzinfo = dt.UTC
    if timezone:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(timezone)
    rate = _RATE.match(expression)
    if rate:
        seconds = int(rate.group(1)) * _UNIT_SECONDS[rate.group(2).rstrip("s")]
        return after + dt.timedelta(seconds=seconds)
    if expression.startswith("at(") and expression.endswith(")"):
        at = dt.datetime.fromisoformat(expression[3:-1]).replace(tzinfo=zone).astimezone(dt.UTC)
        return at if at > after else None
    if expression.startswith("cron(") and expression.endswith(")"):
        fields = expression[5:-1].split()
        if len(fields) != 6:
            raise ValueError(f"cron needs 6 fields: {expression}")
        minutes = _cron_field(fields[0], 0, 59)
        hours = _cron_field(fields[1], 0, 23)
        dom = _cron_field(fields[2], 1, 31)
        months = _cron_field(fields[3], 1, 12, _MONTHS)
        dow = _cron_field(fields[4], 1, 7, _DAYS)
        years = _cron_field(fields[5], 1970, 2199)
        # walk wall-clock minutes in the schedule's zone (naive), then convert the hit to UTC
        local = after.astimezone(zone).replace(tzinfo=None)
        t = (local + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
        limit = local + dt.timedelta(days=366 * 5)
        while t < limit:
            if (months and t.month not in months) or (years and t.year not in years):
                t = (t.replace(day=1, hour=0, minute=0) + dt.timedelta(days=32)).replace(day=1)
                continue
            if (dom and t.day not in dom) or (dow and (t.isoweekday() % 7) + 1 not in dow):
                t = t.replace(hour=0, minute=0) + dt.timedelta(days=1)
                continue
            if hours and t.hour not in hours:
                t = t.replace(minute=0) + dt.timedelta(hours=1)
                continue
            if minutes and t.minute not in minutes:
                t += dt.timedelta(minutes=1)
                continue
            return t.replace(tzinfo=zone).astimezone(dt.UTC)
        return None
    raise ValueError(f"unsupported schedule expression: {expression}")


def schedule_speedup() -> float:
    """``LOCAL_STACK_SCHEDULE_SPEEDUP``: 1 = real time, 60 = an hour per minute, 0 = only on demand."""
    return float(os.environ.get("LOCAL_STACK_SCHEDULE_SPEEDUP", "1"))


class SchedulePump(_Pump):
    """Fires every enabled schedule on its own clock; ``tick()`` fires one now."""

    def __init__(
        self, stack: DeployedStack, invoke: Invoke, clients: ClientMaker, *, speedup: float | None = None
    ) -> None:
        super().__init__(stack, invoke, clients)
        self.name = "schedules"
        self.speedup = schedule_speedup() if speedup is None else speedup
        self._lock = threading.Lock()

    def run(self) -> None:
        if not self.stack.schedules:
            return
        if self.speedup <= 0:
            log.info("schedules: automatic ticks off (LOCAL_STACK_SCHEDULE_SPEEDUP=0); on demand only")
            return
        real_start = time.monotonic()
        virtual_start = _utcnow()

        def virtual_now() -> dt.datetime:
            return virtual_start + dt.timedelta(seconds=(time.monotonic() - real_start) * self.speedup)

        due: dict[str, dt.datetime | None] = {}
        for s in self.stack.schedules.values():
            if s.enabled:
                due[s.logical_id] = next_fire(s.expression, virtual_start, s.timezone)
                log.info(
                    "schedule %s (%s) → %s, next %s",
                    s.logical_id,
                    s.expression,
                    s.function_id,
                    due[s.logical_id],
                )
        while not self._stop.is_set():
            now = virtual_now()
            for logical_id, when in list(due.items()):
                if when is not None and when <= now:
                    s = self.stack.schedules[logical_id]
                    due[logical_id] = next_fire(s.expression, when, s.timezone)
                    threading.Thread(target=self.tick, args=(logical_id,), daemon=True).start()
            self._stop.wait(POLL_INTERVAL)

    def event_for(self, schedule: Schedule, input_override: Any = None) -> Any:
        if input_override is not None:
            return input_override
        if schedule.input is not None:
            try:
                return json.loads(schedule.input)
            except ValueError:
                return schedule.input
        if schedule.kind == "events-rule":
            res = self.stack.resources.get(schedule.logical_id)
            return {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": self.stack.account_id,
                "time": _utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": self.stack.region,
                "resources": [res.arn] if res and res.arn else [],
                "detail": {},
            }
        return {}

    def tick(self, logical_id: str, input_override: Any = None) -> InvokeOutcome:
        """Fire one schedule now: invoke with its input, retry per its RetryPolicy, then its DLQ."""
        schedule = self.stack.schedules[logical_id]
        event = self.event_for(schedule, input_override)
        attempts = 0
        while True:
            outcome = self.invoke(schedule.function_id, event)
            if outcome.ok:
                log.info("schedule %s → %s: ok", logical_id, schedule.function_id)
                return outcome
            if attempts >= schedule.maximum_retry_attempts or self._stop.is_set():
                break
            attempts += 1
            self._backoff(attempts)
        log.warning(
            "schedule %s → %s: failed after %d attempts", logical_id, schedule.function_id, attempts + 1
        )
        if schedule.dead_letter_arn:
            res = self.stack.resources.get(logical_id)
            fn = self.stack.functions.get(schedule.function_id)

            def attr(value: str) -> dict[str, str]:
                return {"DataType": "String", "StringValue": value or "-"}

            self._send_to_destination(
                schedule.dead_letter_arn,
                event,
                {
                    "ERROR_CODE": attr(outcome.error_type),
                    "ERROR_MESSAGE": attr(outcome.error_message[:1000]),
                    "EXHAUSTED_RETRY_CONDITION": attr("MaximumRetryAttempts"),
                    "RETRY_ATTEMPTS": attr(str(attempts)),
                    "SCHEDULE_ARN": attr(res.arn if res and res.arn else logical_id),
                    "TARGET_ARN": attr(fn.arn if fn else schedule.function_id),
                },
            )
        return outcome
