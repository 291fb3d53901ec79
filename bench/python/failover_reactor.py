"""Python reference for failover-reactor: the same work with boto3, for the benchmarks.

For each cluster failover event from SNS it describes the cluster and its instances, reads the
cluster's events of the last hour and the instances' tags, and publishes an alert with message
attributes. Configuration: NOTIFICATION_TOPIC_ARN.
Run it as Lambda's Python runtime does: `python3 -m awslambdaric failover_reactor.lambda_handler`.
"""

import os
import time
from datetime import datetime, timedelta, timezone

import boto3

from rds_message import event_lines, log_record, publish, rds_events

# Read once at init, as Lambda handlers do, so that every invocation reuses the clients.
TOPIC_ARN = os.environ["NOTIFICATION_TOPIC_ARN"]
RDS = boto3.client("rds")
SNS = boto3.client("sns")
PREFERRED_WRITER_TAG = "failover-reactor:preferred-writer"


def cluster_lines(cluster_id):
    """Describes a cluster, its instances, its events of the last hour and the instances'
    tags, as failover-reactor does. Returns the writer, readers and recent events as lines."""
    clusters = RDS.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"]
    if not clusters:
        return [f"Current state: unavailable (DB cluster {cluster_id} not found)"]
    instances = RDS.describe_db_instances(
        Filters=[{"Name": "db-cluster-id", "Values": [cluster_id]}]
    )["DBInstances"]
    by_id = {instance["DBInstanceIdentifier"]: instance for instance in instances}
    events = RDS.describe_events(
        SourceIdentifier=cluster_id,
        SourceType="db-cluster",
        StartTime=datetime.now(timezone.utc) - timedelta(hours=1),
        MaxRecords=100,
    )["Events"]
    # An instance tagged failover-reactor:preferred-writer=true is the writer to fail back to.
    preferred = []
    for instance in instances:
        tags = RDS.list_tags_for_resource(ResourceName=instance["DBInstanceArn"])["TagList"]
        if any(t["Key"] == PREFERRED_WRITER_TAG and t["Value"].lower() == "true" for t in tags):
            preferred.append(instance["DBInstanceIdentifier"])

    lines = [f"Cluster status: {clusters[0].get('Status', 'unknown')}"]
    members = clusters[0].get("DBClusterMembers", [])
    for member in sorted(members, key=lambda m: not m.get("IsClusterWriter")):
        instance = by_id.get(member["DBInstanceIdentifier"], {})
        role = "Current writer" if member.get("IsClusterWriter") else "Reader"
        lines.append(
            f"{role}: {member['DBInstanceIdentifier']} in "
            f"{instance.get('AvailabilityZone', 'an unknown Availability Zone')} "
            f"(status {instance.get('DBInstanceStatus', 'unknown')})"
        )
    lines.append(f"Preferred writer: {', '.join(preferred) or 'none tagged'}")
    lines += [f"Event: {event['Date']:%H:%M:%S} {event['Message']}" for event in events]
    return lines


def lambda_handler(event, context):
    published = []
    for message_id, message, event_id in rds_events(event):
        started = time.perf_counter()
        source_id = message["Source ID"]
        lines = event_lines(message, event_id)

        # Read the current state, so that a late or repeated delivery reports the truth.
        if message["Event Source"] == "db-cluster":
            lines += cluster_lines(source_id)
        lines.append("Action: alert sent by failover-reactor")

        title = f"RDS {source_id}: {message['Event Message'].rstrip('.')}"
        published.append(
            publish(SNS, TOPIC_ARN, message, event_id, "warning", "failover", title, lines)
        )
        log_record(
            started,
            message="record handled",
            sns_message_id=message_id,
            event_id=event_id,
            source_id=source_id,
            action="alerted",
        )
    return {"published": published}
