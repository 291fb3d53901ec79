"""Python reference for backup-notifier: the same work with boto3, for the benchmarks.

For each RDS snapshot event from SNS it describes the snapshot the event names and publishes a
notification with message attributes. Configuration: NOTIFICATION_TOPIC_ARN.
Run it as Lambda's Python runtime does: `python3 -m awslambdaric backup_notifier.lambda_handler`.
"""

import os
import time

import boto3

from rds_message import event_lines, log_record, publish, rds_events

# Read once at init, as Lambda handlers do, so that every invocation reuses the clients.
TOPIC_ARN = os.environ["NOTIFICATION_TOPIC_ARN"]
RDS = boto3.client("rds")
SNS = boto3.client("sns")


def snapshot_lines(source_type, source_id):
    """Describes the snapshot an event names; returns its lines of the notification."""
    if source_type == "db-snapshot":
        found = RDS.describe_db_snapshots(DBSnapshotIdentifier=source_id)["DBSnapshots"]
        encrypted = found[0].get("Encrypted") if found else None
    elif source_type == "db-cluster-snapshot":
        found = RDS.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=source_id)[
            "DBClusterSnapshots"
        ]
        encrypted = found[0].get("StorageEncrypted") if found else None
    else:
        return []
    if not found:
        return [f"Snapshot details: unavailable (no snapshot {source_id})"]
    snapshot = found[0]
    lines = [f"Snapshot: {source_id} ({snapshot.get('SnapshotType', 'type unknown')})"]
    if "AllocatedStorage" in snapshot:
        lines.append(f"Size: {snapshot['AllocatedStorage']} GiB allocated")
    if "Engine" in snapshot:
        lines.append(f"Engine: {snapshot['Engine']} {snapshot.get('EngineVersion', '')}".rstrip())
    if encrypted is not None:
        lines.append("Encryption: " + ("encrypted" if encrypted else "not encrypted"))
    if "SnapshotCreateTime" in snapshot:
        lines.append(f"Created: {snapshot['SnapshotCreateTime']:%Y-%m-%d %H:%M:%S} UTC")
    if "Status" in snapshot:
        lines.append(f"Status: {snapshot['Status']}")
    return lines


def lambda_handler(event, context):
    published = []
    for message_id, message, event_id in rds_events(event):
        started = time.perf_counter()
        source_id = message["Source ID"]
        lines = event_lines(message, event_id)

        # Read the snapshot's state before writing about it.
        lines += snapshot_lines(message["Event Source"], source_id)
        lines.append("Action: notification sent by backup-notifier")

        title = f"RDS {source_id}: {message['Event Message'].rstrip('.')}"
        published.append(
            publish(SNS, TOPIC_ARN, message, event_id, "info", "creation", title, lines)
        )
        log_record(
            started,
            message="record handled",
            sns_message_id=message_id,
            event_id=event_id,
            source_id=source_id,
            action="notified",
        )
    return {"published": published}
