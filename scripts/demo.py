#!/usr/bin/env python3
"""Runs both functions end to end against moto's server, under `cargo lambda watch`.

Run it through `make demo`, which starts moto's server with scripts/with-moto. The script
seeds the server through boto3: a Multi-AZ instance, an Aurora cluster with two instances, a
DB snapshot, a cluster snapshot, and a notification topic with an SQS queue subscribed. It
serves both real binaries with `cargo lambda watch` on 127.0.0.1 and invokes each function
with every sample in events/. For each, it prints what the function did and the notification
that arrived on the queue. It exits with status 1 when an expected notification is missing or
an unexpected one arrives.
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

    topic_arn = sns.create_topic(Name="rds-notifications")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="rds-notifications")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


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


def main():
    require_loopback_endpoint()
    rds, sns, sqs = (boto3.client(name) for name in ("rds", "sns", "sqs"))
    topic_arn, queue_url = seed(rds, sns, sqs)
    print(f"demo: seeded moto at {os.environ['AWS_ENDPOINT_URL']}: orders-db (Multi-AZ), billing-aurora "
          f"(2 instances), snapshots, topic {topic_arn}", flush=True)

    samples = sorted(EVENTS.glob("*.json"))
    unknown = [s.name for s in samples if s.name not in EXPECTED]
    if unknown:
        sys.exit(f"demo: no expectation for {', '.join(unknown)}; add it to EXPECTED in scripts/demo.py")

    subprocess.run(["cargo", "build", "--quiet", "-p", "backup-notifier", "-p", "failover-reactor"], check=True, cwd=ROOT)
    port = free_port()
    env = dict(os.environ, NOTIFICATION_TOPIC_ARN=topic_arn, RUST_LOG="warn")
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
            want = 0 if expected is None else len(expected)
            notifications = drain(sqs, queue_url, want, 10 if want else 1.5)
            for notification in notifications:
                print(f"   notification: {notification.get('Subject')}")
                for line in notification.get("Message", "").splitlines():
                    print(f"      {line}")
            if len(notifications) != want:
                problems.append(f"{sample.name}: expected {want} notification(s), received {len(notifications)}")
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
