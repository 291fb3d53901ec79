//! Copies that moto 5.2 cannot show, with the SDK's mock client (aws-smithy-mocks): copies of
//! automated snapshots, whose ARN contains the `rds:` of the identifier (moto drops it), and
//! the quota and state errors RDS returns under load. The tests check the requests sent and the
//! notification published. They need no server.

use aws_sdk_rds::error::ErrorMetadata;
use aws_sdk_rds::operation::copy_db_cluster_snapshot::{
    CopyDBClusterSnapshotError, CopyDbClusterSnapshotOutput,
};
use aws_sdk_rds::operation::copy_db_snapshot::{CopyDBSnapshotError, CopyDbSnapshotOutput};
use aws_sdk_rds::operation::describe_db_cluster_snapshots::DescribeDbClusterSnapshotsOutput;
use aws_sdk_rds::operation::describe_db_snapshots::DescribeDbSnapshotsOutput;
use aws_sdk_rds::primitives::DateTime;
use aws_sdk_rds::types::error::{InvalidDbSnapshotStateFault, SnapshotQuotaExceededFault};
use aws_sdk_rds::types::{DbClusterSnapshot, DbSnapshot};
use aws_sdk_sns::operation::publish::PublishOutput;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use backup_notifier::{
    BackupNotifier, COPIED_BY_KEY, COPIED_BY_VALUE, SOURCE_ARN_KEY, SnapshotKind,
    is_valid_identifier, target_identifier,
};
use common::{DESTINATION, SnsEvent, config, copy_settings, tag};
use rds_functions::notify::Format;
use rds_functions::records::process;

mod common;

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:rds-notifications";
const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const AUTOMATED: &str = "rds:orders-db-2026-12-04-03-14";
const AUTOMATED_ARN: &str =
    "arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-db-2026-12-04-03-14";

fn automated_snapshot() -> DbSnapshot {
    DbSnapshot::builder()
        .db_snapshot_identifier(AUTOMATED)
        .db_snapshot_arn(AUTOMATED_ARN)
        .db_instance_identifier("orders-db")
        .snapshot_type("automated")
        .engine("postgres")
        .engine_version("16.3")
        .allocated_storage(50)
        .encrypted(true)
        .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/source-key")
        .status("available")
        .snapshot_create_time(DateTime::from_secs(1_796_267_692))
        .tag_list(tag("team", "orders"))
        .tag_list(tag("aws:backup:source-resource", "orders-db"))
        .build()
}

fn automated_event(message_id: &str) -> serde_json::Value {
    SnsEvent {
        message_id,
        source_type: "db-snapshot",
        source_id: AUTOMATED,
        event: 91,
        message: "Automated snapshot created",
    }
    .payload()
}

fn describe_automated() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_rds::Client::describe_db_snapshots)
        .match_requests(|request| request.db_snapshot_identifier() == Some(AUTOMATED))
        .then_output(|| {
            DescribeDbSnapshotsOutput::builder()
                .db_snapshots(automated_snapshot())
                .build()
        })
}

fn quota_error(message: &str) -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("SnapshotQuotaExceeded")
        .message(message)
        .build()
}

#[tokio::test]
async fn automated_snapshot_copied_by_arn() {
    let target = target_identifier(AUTOMATED, SnapshotKind::Db);
    let describe = describe_automated();
    let expected_target = target.clone();
    let copy = mock!(aws_sdk_rds::Client::copy_db_snapshot)
        .match_requests(move |request| {
            let tags = request.tags();
            let has = |key: &str, value: &str| {
                tags.iter()
                    .any(|tag| tag.key() == Some(key) && tag.value() == Some(value))
            };
            request.source_db_snapshot_identifier() == Some(AUTOMATED_ARN)
                && request.target_db_snapshot_identifier() == Some(expected_target.as_str())
                && request.kms_key_id() == Some(KEY)
                && has("team", "orders")
                && has(COPIED_BY_KEY, COPIED_BY_VALUE)
                && has(SOURCE_ARN_KEY, AUTOMATED_ARN)
                && tags.len() == 3
        })
        .then_output(|| CopyDbSnapshotOutput::builder().build());
    let expected_line = format!("Copy to {DESTINATION}: started as {target}");
    let publish = mock!(aws_sdk_sns::Client::publish)
        .match_requests(move |request| {
            request.subject()
                == Some("[INFO] RDS rds:orders-db-2026-12-04-03-14: Automated snapshot created")
                && request
                    .message()
                    .is_some_and(|message| message.lines().any(|line| line == expected_line))
        })
        .then_output(|| PublishOutput::builder().message_id("note-1").build());
    let handler = BackupNotifier::from_clients(
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&describe]),
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&copy]),
        mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&publish]),
        config(TOPIC, Format::Text, Some(copy_settings(Some(KEY)))),
    );

    let summary = process(&automated_event("auto-1"), &handler)
        .await
        .expect("handled");

    assert!(
        target.starts_with("rds-orders-db-2026-12-04-03-14-"),
        "{target}"
    );
    assert!(is_valid_identifier(&target, 255));
    assert_eq!(summary.records[0].detail, "copied");
    assert_eq!(
        summary.records[0].notification_id.as_deref(),
        Some("note-1")
    );
    assert_eq!(copy.num_calls(), 1);
    assert_eq!(publish.num_calls(), 1);
}

#[tokio::test]
async fn automated_cluster_snapshot_target_fits_63() {
    let cluster = "billing-aurora-analytics-replica-eu-central-primary";
    let source = format!("rds:{cluster}-2026-12-04-03-14");
    let source_arn = format!("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:{source}");
    let target = target_identifier(&source, SnapshotKind::Cluster);
    let snapshot = DbClusterSnapshot::builder()
        .db_cluster_snapshot_identifier(&source)
        .db_cluster_snapshot_arn(&source_arn)
        .db_cluster_identifier(cluster)
        .snapshot_type("automated")
        .engine("aurora-postgresql")
        .storage_encrypted(true)
        .status("available")
        .build();
    let source_for_match = source.clone();
    let describe = mock!(aws_sdk_rds::Client::describe_db_cluster_snapshots)
        .match_requests(move |request| {
            request.db_cluster_snapshot_identifier() == Some(source_for_match.as_str())
        })
        .then_output(move || {
            DescribeDbClusterSnapshotsOutput::builder()
                .db_cluster_snapshots(snapshot.clone())
                .build()
        });
    let (arn_for_match, target_for_match) = (source_arn.clone(), target.clone());
    let copy = mock!(aws_sdk_rds::Client::copy_db_cluster_snapshot)
        .match_requests(move |request| {
            request.source_db_cluster_snapshot_identifier() == Some(arn_for_match.as_str())
                && request.target_db_cluster_snapshot_identifier()
                    == Some(target_for_match.as_str())
                && request.kms_key_id() == Some(KEY)
        })
        .then_output(|| CopyDbClusterSnapshotOutput::builder().build());
    let publish = mock!(aws_sdk_sns::Client::publish)
        .then_output(|| PublishOutput::builder().message_id("note-2").build());
    let handler = BackupNotifier::from_clients(
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&describe]),
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&copy]),
        mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&publish]),
        config(TOPIC, Format::Text, Some(copy_settings(Some(KEY)))),
    );
    let payload = SnsEvent {
        message_id: "auto-cluster-1",
        source_type: "db-cluster-snapshot",
        source_id: &source,
        event: 169,
        message: "Automated cluster snapshot created",
    }
    .payload();

    let summary = process(&payload, &handler).await.expect("handled");

    assert!(target.len() <= 63, "{target}");
    assert!(is_valid_identifier(&target, 63), "{target}");
    assert_eq!(summary.records[0].detail, "copied");
    assert_eq!(copy.num_calls(), 1);
}

#[tokio::test]
async fn concurrent_copy_limit_fails_record() {
    let describe = describe_automated();
    let message = "Cannot copy more than 5 snapshots across regions";
    let copy = mock!(aws_sdk_rds::Client::copy_db_snapshot).then_error(move || {
        CopyDBSnapshotError::SnapshotQuotaExceededFault(
            SnapshotQuotaExceededFault::builder()
                .message(message)
                .meta(quota_error(message))
                .build(),
        )
    });
    let publish = mock!(aws_sdk_sns::Client::publish)
        .match_requests(|request| {
            request.subject()
                == Some("[WARNING] RDS rds:orders-db-2026-12-04-03-14: copy to us-west-2 failed, to be retried")
                && request.message().is_some_and(|body| {
                    body.contains("Lambda retries the event, then keeps it on the on-failure destination")
                })
        })
        .then_output(|| PublishOutput::builder().message_id("note-3").build());
    let handler = BackupNotifier::from_clients(
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&describe]),
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&copy]),
        mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&publish]),
        config(TOPIC, Format::Text, Some(copy_settings(Some(KEY)))),
    );

    let error = process(&automated_event("quota-1"), &handler)
        .await
        .expect_err("record fails so Lambda retries");

    assert_eq!(error.failures.len(), 1);
    let failure = &error.failures[0];
    assert!(failure.starts_with("SNS message quota-1: "), "{failure}");
    assert!(
        failure.contains(&format!(
            "RDS rejected the copy of {AUTOMATED_ARN} to us-west-2: snapshot quota or concurrent copy limit reached (SnapshotQuotaExceeded: {message})"
        )),
        "{failure}"
    );
    assert_eq!(error.summary.records[0].status, "failed");
    assert_eq!(publish.num_calls(), 1);
}

#[tokio::test]
async fn manual_snapshot_quota_fails_cluster_record() {
    let source = "billing-aurora-before-upgrade";
    let source_arn = format!("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:{source}");
    let snapshot = DbClusterSnapshot::builder()
        .db_cluster_snapshot_identifier(source)
        .db_cluster_snapshot_arn(&source_arn)
        .db_cluster_identifier("billing-aurora")
        .snapshot_type("manual")
        .storage_encrypted(false)
        .status("available")
        .build();
    let describe =
        mock!(aws_sdk_rds::Client::describe_db_cluster_snapshots).then_output(move || {
            DescribeDbClusterSnapshotsOutput::builder()
                .db_cluster_snapshots(snapshot.clone())
                .build()
        });
    let message = "Cannot create more than 100 manual snapshots";
    let copy = mock!(aws_sdk_rds::Client::copy_db_cluster_snapshot).then_error(move || {
        CopyDBClusterSnapshotError::SnapshotQuotaExceededFault(
            SnapshotQuotaExceededFault::builder()
                .message(message)
                .meta(quota_error(message))
                .build(),
        )
    });
    let publish = mock!(aws_sdk_sns::Client::publish)
        .then_output(|| PublishOutput::builder().message_id("note-4").build());
    let handler = BackupNotifier::from_clients(
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&describe]),
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&copy]),
        mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&publish]),
        config(TOPIC, Format::Text, Some(copy_settings(None))),
    );
    let payload = SnsEvent {
        message_id: "quota-2",
        source_type: "db-cluster-snapshot",
        source_id: source,
        event: 75,
        message: "Manual cluster snapshot created",
    }
    .payload();

    let error = process(&payload, &handler)
        .await
        .expect_err("record fails so Lambda retries");

    assert!(
        error.failures[0].contains(&format!("(SnapshotQuotaExceeded: {message})")),
        "{}",
        error.failures[0]
    );
    assert_eq!(copy.num_calls(), 1);
    assert_eq!(publish.num_calls(), 1);
}

#[tokio::test]
async fn snapshot_not_ready_fails_record() {
    let describe = describe_automated();
    let copy = mock!(aws_sdk_rds::Client::copy_db_snapshot).then_error(|| {
        CopyDBSnapshotError::InvalidDbSnapshotStateFault(
            InvalidDbSnapshotStateFault::builder()
                .meta(
                    ErrorMetadata::builder()
                        .code("InvalidDBSnapshotState")
                        .message("Snapshot is not available")
                        .build(),
                )
                .build(),
        )
    });
    let publish = mock!(aws_sdk_sns::Client::publish)
        .then_output(|| PublishOutput::builder().message_id("note-5").build());
    let handler = BackupNotifier::from_clients(
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&describe]),
        mock_client!(aws_sdk_rds, RuleMode::MatchAny, [&copy]),
        mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&publish]),
        config(TOPIC, Format::Text, Some(copy_settings(Some(KEY)))),
    );

    let error = process(&automated_event("not-ready-1"), &handler)
        .await
        .expect_err("record fails so Lambda retries");

    assert!(
        error.failures[0].contains(&format!(
            "RDS cannot copy {AUTOMATED_ARN} yet: InvalidDBSnapshotState: Snapshot is not available"
        )),
        "{}",
        error.failures[0]
    );
}
