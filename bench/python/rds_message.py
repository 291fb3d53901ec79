"""Parsing and notification helpers shared by the Python references of the functions.

The parsing does what a careful Python handler would do. It reads each SNS record's `Message`
as JSON and takes the event ID from the fragment of the `Event ID` URL. It skips the plain-text
notice that RDS sends once when a subscription is created. The notification has the subject,
body lines and message attributes that the Rust functions (crates/rds-functions/src/notify.rs)
publish.
"""

import json
import time

SUBSCRIPTION_NOTICE_MARKER = "RDS will attempt to send you event notifications"
MAX_SUBJECT_CHARS = 100


class RdsMessageError(ValueError):
    """An SNS record whose message is not a usable RDS event."""


def rds_events(event):
    """Yields (sns_message_id, rds_message, event_id) for each RDS event in an SNS event."""
    for record in event["Records"]:
        sns = record["Sns"]
        message_id = sns["MessageId"]
        try:
            message = json.loads(sns["Message"])
        except ValueError as err:
            if SUBSCRIPTION_NOTICE_MARKER in sns["Message"]:
                continue
            raise RdsMessageError(f"message {message_id}: Message is not JSON") from err
        if not isinstance(message, dict):
            raise RdsMessageError(f"message {message_id}: Message is not a JSON object")
        for key in ("Event Source", "Event ID", "Source ID", "Event Message", "Event Time"):
            if not isinstance(message.get(key), str):
                raise RdsMessageError(f"message {message_id}: {key!r} is missing")
        event_id = message["Event ID"].rpartition("#")[2]
        if not event_id.startswith("RDS-EVENT-"):
            raise RdsMessageError(f"message {message_id}: invalid event ID {event_id!r}")
        yield message_id, message, event_id


def event_lines(message, event_id):
    """Returns the body lines every notification starts with: what, which resource, when."""
    lines = [
        f"What happened: {message['Event Message']} ({event_id})",
        f"Resource: {message['Event Source']} {message['Source ID']}",
    ]
    if message.get("Source ARN"):
        lines.append(f"ARN: {message['Source ARN']}")
    lines.append(f"When: {message['Event Time'][:19]} UTC")
    if message.get("Identifier Link"):
        lines.append(f"Console: {message['Identifier Link']}")
    return lines


def publish(sns, topic_arn, message, event_id, severity, category, title, lines):
    """Publishes a notification as the Rust functions do; returns the SNS message ID."""
    subject = f"[{severity.upper()}] {title}"
    if len(subject) > MAX_SUBJECT_CHARS:
        subject = subject[: MAX_SUBJECT_CHARS - 3].rstrip() + "..."

    def string(value, data_type="String"):
        return {"DataType": data_type, "StringValue": value}

    response = sns.publish(
        TopicArn=topic_arn,
        Subject=subject,
        Message="".join(line + "\n" for line in lines),
        MessageAttributes={
            "EventID": string(event_id),
            "SourceId": string(message["Source ID"]),
            "SourceType": string(message["Event Source"]),
            "Category": string(json.dumps([category]), "String.Array"),
            "Severity": string(severity),
        },
    )
    return response["MessageId"]


def log_record(started, **fields):
    """Prints one JSON log line for a handled record, as the Rust functions do."""
    fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    print(json.dumps({"level": "INFO", **fields}), flush=True)
