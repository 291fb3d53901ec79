"""The AWS resources the handlers act on, created in moto's server for each harness run."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass

ACCOUNT = "123456789012"
# The resources that events/sns-snapshot-created.json and events/sns-cluster-failover.json
# name, as events/README.md lists them.
INSTANCE_ID = "orders-db"
SNAPSHOT_ID = "orders-db-before-upgrade"
CLUSTER_ID = "billing-aurora"
CLUSTER_MEMBERS = ("billing-aurora-1", "billing-aurora-2")
TOPIC_NAME = "bench-notifications"


@dataclass
class Fixtures:
    """The Region, the notification topic and the queue subscribed to it, as `seed` created
    them."""

    region: str
    topic_arn: str
    queue_url: str


def require_loopback_endpoint() -> str:
    """Returns AWS_ENDPOINT_URL after checking that it, and the settings around it, are local."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    host = urllib.parse.urlsplit(endpoint).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit(
            f"AWS_ENDPOINT_URL is {endpoint!r}, not a loopback URL; run the harness under "
            "scripts/with-moto"
        )
    for name in ("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if not os.environ.get(name):
            raise SystemExit(f"{name} is not set; run the harness under scripts/with-moto")
    if os.environ.get("AWS_EC2_METADATA_DISABLED") != "true":
        raise SystemExit("AWS_EC2_METADATA_DISABLED is not true; run under scripts/with-moto")
    return endpoint


def seed() -> Fixtures:
    """Creates a Multi-AZ DB instance and its manual snapshot, an Aurora cluster with two
    instances, the notification topic, and an SQS queue subscribed to it."""
    import boto3  # imported here so that `--help` works without boto3

    region = os.environ["AWS_REGION"]
    rds = boto3.client("rds")
    sns = boto3.client("sns")
    sqs = boto3.client("sqs")

    rds.create_db_instance(
        DBInstanceIdentifier=INSTANCE_ID,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MultiAZ=True,
        MasterUsername="bench",
        MasterUserPassword="bench-password",
    )
    rds.create_db_snapshot(DBSnapshotIdentifier=SNAPSHOT_ID, DBInstanceIdentifier=INSTANCE_ID)
    rds.create_db_cluster(
        DBClusterIdentifier=CLUSTER_ID,
        Engine="aurora-postgresql",
        MasterUsername="bench",
        MasterUserPassword="bench-password",
    )
    for member in CLUSTER_MEMBERS:
        rds.create_db_instance(
            DBInstanceIdentifier=member,
            DBClusterIdentifier=CLUSTER_ID,
            DBInstanceClass="db.r6g.large",
            Engine="aurora-postgresql",
        )

    topic_arn = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=TOPIC_NAME)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return Fixtures(region=region, topic_arn=topic_arn, queue_url=queue_url)


def drain(fixtures: Fixtures) -> int:
    """Deletes every message on the notification queue and returns how many there were."""
    import boto3

    sqs = boto3.client("sqs")
    count = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=fixtures.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return count
        count += len(messages)
        sqs.delete_message_batch(
            QueueUrl=fixtures.queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(messages)
            ],
        )
