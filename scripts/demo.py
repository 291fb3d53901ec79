#!/usr/bin/env python3
"""Runs both functions end to end against moto's server, under `cargo lambda watch`.

Run it through `make demo`, which starts moto's server with scripts/with-moto. The script
seeds the server through boto3: a Multi-AZ instance, an Aurora cluster with two instances, a
DB snapshot, a cluster snapshot, a KMS key in the disaster-recovery Region, and a notification
topic with an SQS queue subscribed. It serves both real binaries with `cargo lambda watch` on
127.0.0.1, with snapshot copies to us-west-2 and fail back to billing-aurora-1 turned on, and
invokes each function with every sample in events/. For each, it prints what the function did
and the notification that arrived on the queue. Then it delivers the snapshot and failover
samples again and shows that the copy and the fail back happened once. It exits with status 1
when an expected notification, copy or fail back is missing, or an unexpected one happens.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"
FUNCTIONS = ["backup-notifier", "failover-reactor"]
ACCOUNT = "123456789012"
COPY_REGION = "us-west-2"

# The functions expected to notify, per sample. None marks a sample whose invocation must
# fail (a malformed message).
EXPECTED = {
    "sns-docs-example.json": {"backup-notifier"},
    "sns-backup-finished.json": {"backup-notifier"},
    "sns-snapshot-created.json": {"backup-notifier"},
    "sns-cluster-snapshot-created.json": {"backup-notifier"},
    "sns-instance-failover.json": {"failover-reactor"},
    "sns-cluster-failover.json": {"failover-reactor"},
    "sns-outside-routes.json": set(),
    "sns-malformed.json": None,
    "sns-subscription-notice.json": set(),
    "eventbridge-instance-failover.json": {"failover-reactor"},
    "eventbridge-cluster-snapshot.json": {"backup-notifier"},
}

# Actions the functions must report for some samples, as (sample, function) -> action.
EXPECTED_ACTIONS = {
    ("sns-snapshot-created.json", "backup-notifier"): "copied",
    ("eventbridge-cluster-snapshot.json", "backup-notifier"): "copied",
    ("sns-cluster-snapshot-created.json", "backup-notifier"): "already-copied",
    ("sns-cluster-failover.json", "failover-reactor"): "failback-started",
}


def require_loopback_endpoint():
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if not endpoint.startswith("http://127.0.0.1:"):
        sys.exit("demo: AWS_ENDPOINT_URL is not moto's server on 127.0.0.1; run `make demo`")
    if os.environ.get("AWS_EC2_METADATA_DISABLED") != "true":
        sys.exit("demo: AWS_EC2_METADATA_DISABLED must be true; run `make demo`")


def seed(rds, sns, sqs):
    """Creates the resources the samples name, and the notification topic and queue."""
    rds.create_db_instance(
        DBInstanceIdentifier="orders-db", DBInstanceClass="db.m6g.large", Engine="postgres",
        EngineVersion="16.3", AllocatedStorage=100, MasterUsername="admin",
        MasterUserPassword="not-a-secret-1", MultiAZ=True, AvailabilityZone="us-east-1a",
        StorageEncrypted=True, BackupRetentionPeriod=7,
    )
    rds.create_db_snapshot(DBInstanceIdentifier="orders-db", DBSnapshotIdentifier="orders-db-before-upgrade")
    rds.create_db_cluster(
        DBClusterIdentifier="billing-aurora", Engine="aurora-postgresql", EngineVersion="16.4",
        MasterUsername="admin", MasterUserPassword="not-a-secret-1",
    )
    for index, zone in [(1, "us-east-1a"), (2, "us-east-1b")]:
        rds.create_db_instance(
            DBInstanceIdentifier=f"billing-aurora-{index}", DBClusterIdentifier="billing-aurora",
            DBInstanceClass="db.r6g.large", Engine="aurora-postgresql", AvailabilityZone=zone,
        )
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier="billing-aurora", DBClusterSnapshotIdentifier="billing-aurora-before-upgrade",
    )
    # The cluster sample reports a completed failover to billing-aurora-2, so make it true.
    rds.failover_db_cluster(DBClusterIdentifier="billing-aurora", TargetDBInstanceIdentifier="billing-aurora-2")
    # billing-aurora-1 is the writer the team prefers: failover-reactor fails back to it.
    rds.add_tags_to_resource(
        ResourceName=f"arn:aws:rds:us-east-1:{ACCOUNT}:db:billing-aurora-1",
        Tags=[{"Key": "failover-reactor:preferred-writer", "Value": "true"}],
    )

    topic_arn = sns.create_topic(Name="rds-notifications")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="rds-notifications")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    # orders-db is encrypted, so its copies need a key in the destination Region.
    copy_key = boto3.client("kms", region_name=COPY_REGION).create_key()["KeyMetadata"]["Arn"]
    return topic_arn, queue_url, copy_key


def writer_of(rds, cluster):
    members = rds.describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]["DBClusterMembers"]
    return next((m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]), None)


def actions_of(result):
    if isinstance(result, dict) and "records" in result:
        return [r["detail"] for r in result["records"]]
    return []


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"demo: cargo lambda watch exited with status {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    sys.exit(f"demo: cargo lambda watch did not listen on 127.0.0.1:{port} within {seconds} s")


def invoke(function, sample, port):
    """Invokes a function through cargo lambda and returns (ok, response or error text)."""
    result = subprocess.run(
        ["cargo", "lambda", "invoke", function, "--data-file", str(sample),
         "--invoke-address", "127.0.0.1", "--invoke-port", str(port), "--output-format", "json"],
        capture_output=True, text=True, timeout=120,
    )
    text = (result.stdout or result.stderr).strip()
    if result.returncode != 0:
        # Keep the function's error, without cargo-lambda's framing and discussion link.
        lines = [line.strip(" │×") for line in text.splitlines()]
        kept = [line for line in lines if line and not line.startswith(("Was this", "Start a thread"))]
        return False, " ".join(kept)
    try:
        return True, json.loads(text)
    except json.JSONDecodeError:
        return True, text


def drain(sqs, queue_url, expected, seconds):
    """Receives notifications until `expected` arrived or `seconds` passed."""
    received = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(received) < max(expected, 1):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for message in messages:
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        if not messages:
            time.sleep(0.2)
    return received


def describe(result):
    if isinstance(result, dict) and "records" in result:
        return "; ".join(f"{r['status']}: {r['detail']}" for r in result["records"])
    return str(result)


def check_copy_and_failback(rds, sqs, queue_url, port):
    """Shows the copy and the fail back, then delivers both events again: nothing repeats."""
    problems = []
    print("\n== disaster-recovery copy")
    remote = boto3.client("rds", region_name=COPY_REGION)
    copy_arn = f"arn:aws:rds:{COPY_REGION}:{ACCOUNT}:snapshot:orders-db-before-upgrade"
    try:
        copy = remote.describe_db_snapshots(DBSnapshotIdentifier="orders-db-before-upgrade")["DBSnapshots"][0]
        tags = {t["Key"]: t["Value"] for t in remote.list_tags_for_resource(ResourceName=copy_arn)["TagList"]}
        print(f"   {copy_arn}: encrypted={copy.get('Encrypted')} key={copy.get('KmsKeyId')}")
        for key in sorted(tags):
            print(f"      tag {key}={tags[key]}")
        if tags.get("rds-event-lambdas:copied-by") != "backup-notifier":
            problems.append("the copy lacks the rds-event-lambdas:copied-by tag")
    except remote.exceptions.DBSnapshotNotFoundFault:
        problems.append(f"no copy of orders-db-before-upgrade in {COPY_REGION}")

    print("\n== fail back")
    writer = writer_of(rds, "billing-aurora")
    print(f"   billing-aurora writer after the failover sample: {writer}")
    if writer != "billing-aurora-1":
        problems.append(f"billing-aurora was not failed back to billing-aurora-1 (writer {writer})")

    print("\n== the same events delivered again")
    for sample, function, forbidden in [
        ("sns-snapshot-created.json", "backup-notifier", "copied"),
        ("sns-cluster-failover.json", "failover-reactor", "failback-started"),
    ]:
        ok, result = invoke(function, EVENTS / sample, port)
        print(f"   {sample} -> {function}: {describe(result)}")
        if not ok or forbidden in actions_of(result):
            problems.append(f"{sample}: the second delivery to {function} acted again: {describe(result)}")
        drain(sqs, queue_url, 1, 5)
    copies = remote.describe_db_snapshots(DBInstanceIdentifier="orders-db")["DBSnapshots"]
    print(f"   copies of orders-db in {COPY_REGION}: {len(copies)}; billing-aurora writer: {writer_of(rds, 'billing-aurora')}")
    if len(copies) != 1:
        problems.append(f"expected one copy of orders-db in {COPY_REGION}, found {len(copies)}")
    if writer_of(rds, "billing-aurora") != "billing-aurora-1":
        problems.append("the second failover delivery moved the writer again")
    return problems


def main():
    require_loopback_endpoint()
    rds, sns, sqs = (boto3.client(name) for name in ("rds", "sns", "sqs"))
    topic_arn, queue_url, copy_key = seed(rds, sns, sqs)
    print(f"demo: seeded moto at {os.environ['AWS_ENDPOINT_URL']}: orders-db (Multi-AZ), billing-aurora "
          f"(2 instances, writer {writer_of(rds, 'billing-aurora')}), snapshots, topic {topic_arn}", flush=True)

    samples = sorted(EVENTS.glob("*.json"))
    unknown = [s.name for s in samples if s.name not in EXPECTED]
    if unknown:
        sys.exit(f"demo: no expectation for {', '.join(unknown)}; add it to EXPECTED in scripts/demo.py")

    subprocess.run(["cargo", "build", "--quiet", "-p", "backup-notifier", "-p", "failover-reactor"], check=True, cwd=ROOT)
    port = free_port()
    env = dict(
        os.environ, NOTIFICATION_TOPIC_ARN=topic_arn, RUST_LOG="warn",
        COPY_TO_REGION=COPY_REGION, COPY_KMS_KEY_ID=copy_key, DRY_RUN="false",
    )
    watch = subprocess.Popen(
        ["cargo", "lambda", "watch", "--quiet", "--ignore-changes",
         "--invoke-address", "127.0.0.1", "--invoke-port", str(port)],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    problems = []
    try:
        wait_for_port(port, watch, 120)
        for sample in samples:
            expected = EXPECTED[sample.name]
            print(f"\n== {sample.name}")
            for function in FUNCTIONS:
                ok, result = invoke(function, sample, port)
                status = "ok" if ok else "invocation failed"
                print(f"   {function:<17} {status}: {describe(result)}")
                if expected is None and ok:
                    problems.append(f"{sample.name}: {function} accepted a malformed message")
                if expected is not None and not ok:
                    problems.append(f"{sample.name}: {function} failed: {result}")
                want_action = EXPECTED_ACTIONS.get((sample.name, function))
                if want_action and want_action not in actions_of(result):
                    problems.append(f"{sample.name}: {function} did not report {want_action}: {describe(result)}")
            want = 0 if expected is None else len(expected)
            notifications = drain(sqs, queue_url, want, 10 if want else 1.5)
            for notification in notifications:
                print(f"   notification: {notification.get('Subject')}")
                for line in notification.get("Message", "").splitlines():
                    print(f"      {line}")
            if len(notifications) != want:
                problems.append(f"{sample.name}: expected {want} notification(s), received {len(notifications)}")

        problems += check_copy_and_failback(rds, sqs, queue_url, port)
    finally:
        os.killpg(watch.pid, signal.SIGTERM)
        try:
            watch.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(watch.pid, signal.SIGKILL)

    print()
    if problems:
        for problem in problems:
            print(f"demo: FAILED: {problem}")
        sys.exit(1)
    print(f"demo: all {len(samples)} samples behaved as expected")


if __name__ == "__main__":
    main()
