//! backup-notifier against moto's server: the handler describes real snapshots over HTTP
//! and its notifications arrive on an SQS queue subscribed to the notification topic.
//!
//! Run under `scripts/with-moto` (`make test`).

use std::time::Duration;

use aws_config::SdkConfig;
use backup_notifier::BackupNotifier;
use common::{
    SnsEvent, assert_contains, assert_line, config, create_cluster, create_instance,
    create_snapshot, one_notification, sample, sample_for,
};
use rds_functions::notify::Format;
use rds_functions::records::process;
use rds_functions::testing::{TopicWithQueue, sdk_config, unique_name};
use serde_json::Value;

mod common;

struct Fixture {
    config: SdkConfig,
    topic: TopicWithQueue,
    handler: BackupNotifier,
    instance: String,
}

async fn fixture_with(format: Format) -> Fixture {
    let config = sdk_config().await;
    let topic = TopicWithQueue::create(&config, "backup-notes").await;
    let handler = BackupNotifier::new(&config, common::config(&topic.topic_arn, format, None));
    let rds = aws_sdk_rds::Client::new(&config);
    let instance = create_instance(&rds, "orders-db", true, &[]).await;
    Fixture {
        config,
        topic,
        handler,
        instance,
    }
}

async fn fixture() -> Fixture {
    fixture_with(Format::Text).await
}

#[tokio::test]
async fn manual_snapshot_notification_has_details() {
    let fixture = fixture().await;
    let snapshot = format!("{}-before-upgrade", fixture.instance);
    aws_sdk_rds::Client::new(&fixture.config)
        .create_db_snapshot()
        .db_instance_identifier(&fixture.instance)
        .db_snapshot_identifier(&snapshot)
        .send()
        .await
        .expect("create snapshot");
    let payload = sample_for(
        "sns-snapshot-created.json",
        &[("orders-db", &fixture.instance)],
    );

    let summary = process(&payload, &fixture.handler).await.expect("handled");
    let notification = one_notification(&fixture.topic).await;

    assert_eq!(summary.records[0].status, "handled");
    assert_eq!(summary.records[0].detail, "notified");
    assert_eq!(
        notification.subject,
        format!("[INFO] RDS {snapshot}: Manual snapshot created")
    );
    assert!(
        notification
            .message
            .contains("What happened: Manual snapshot created (RDS-EVENT-0042)")
    );
    assert!(
        notification
            .message
            .contains(&format!("Snapshot: {snapshot} (manual)"))
    );
    assert!(notification.message.contains("Size: 50 GiB allocated"));
    assert!(notification.message.contains("Engine: postgres 16.3"));
    assert!(notification.message.contains("Encryption: encrypted"));
    assert!(
        notification
            .message
            .contains("When: 2026-12-04 09:30:11 UTC")
    );
    assert_eq!(notification.attributes["EventID"], "RDS-EVENT-0042");
    assert_eq!(notification.attributes["SourceId"], snapshot.as_str());
    assert_eq!(notification.attributes["SourceType"], "db-snapshot");
    assert_eq!(notification.attributes["Category"], "[\"creation\"]");
    assert_eq!(notification.attributes["Severity"], "info");
}

#[tokio::test]
async fn finished_backup_describes_automated_snapshot() {
    let fixture = fixture().await;
    let payload = sample_for(
        "sns-backup-finished.json",
        &[("orders-db", &fixture.instance)],
    );

    process(&payload, &fixture.handler).await.expect("handled");
    let notification = one_notification(&fixture.topic).await;

    assert_eq!(
        notification.subject,
        format!(
            "[INFO] RDS {}: Finished DB Instance backup",
            fixture.instance
        )
    );
    // moto makes an automated snapshot, named rds:..., when an instance with backups is created.
    assert!(
        notification
            .message
            .contains(&format!("Snapshot: rds:{}", fixture.instance)),
        "{}",
        notification.message
    );
    assert!(notification.message.contains("(automated)"));
    assert_eq!(notification.attributes["Category"], "[\"backup\"]");
}

#[tokio::test]
async fn cluster_snapshot_notification_has_details() {
    let fixture = fixture().await;
    let rds = aws_sdk_rds::Client::new(&fixture.config);
    let cluster = create_cluster(&rds, "billing-aurora").await;
    let snapshot = format!("{cluster}-before-upgrade");
    rds.create_db_cluster_snapshot()
        .db_cluster_identifier(&cluster)
        .db_cluster_snapshot_identifier(&snapshot)
        .send()
        .await
        .expect("create cluster snapshot");
    let payload = sample_for(
        "eventbridge-cluster-snapshot.json",
        &[("billing-aurora", &cluster)],
    );

    process(&payload, &fixture.handler).await.expect("handled");
    let notification = one_notification(&fixture.topic).await;

    assert_eq!(
        notification.subject,
        format!("[INFO] RDS {snapshot}: Manual cluster snapshot created")
    );
    assert!(
        notification
            .message
            .contains(&format!("Snapshot: {snapshot} (manual)")),
        "{}",
        notification.message
    );
    assert!(
        notification
            .message
            .contains("Engine: aurora-postgresql 16.4")
    );
    assert_eq!(notification.attributes["SourceType"], "db-cluster-snapshot");
}

#[tokio::test]
async fn missing_snapshot_still_notifies() {
    let fixture = fixture().await;

    let summary = process(&sample("sns-docs-example.json"), &fixture.handler)
        .await
        .expect("handled");
    let notification = one_notification(&fixture.topic).await;

    assert_eq!(
        summary.records[0].detail,
        "notified-without-snapshot-details"
    );
    assert_eq!(
        notification.subject,
        "[INFO] RDS dbinstanceid: Finished DB Instance backup"
    );
    assert!(
        notification.message.contains("Snapshot details: unavailable (DescribeDBSnapshots found no snapshot for automated snapshots of dbinstanceid)"),
        "{}",
        notification.message
    );
}

#[tokio::test]
async fn outside_route_is_skipped_without_notification() {
    let fixture = fixture().await;

    let summary = process(&sample("sns-outside-routes.json"), &fixture.handler)
        .await
        .expect("skipped, not failed");

    assert_eq!(summary.records[0].status, "skipped");
    assert!(
        fixture
            .topic
            .receive(1, Duration::from_millis(500))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn malformed_message_fails_naming_message_id() {
    let fixture = fixture().await;

    let error = process(&sample("sns-malformed.json"), &fixture.handler)
        .await
        .expect_err("fails");

    let text = error.to_string();
    assert!(
        text.contains("SNS message 9f1b3d5e-7a9c-5e1f-c3d5-6c8d0e2f4a07"),
        "{text}"
    );
    assert!(text.contains("field \"Message\""), "{text}");
    assert!(
        fixture
            .topic
            .receive(1, Duration::from_millis(500))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn subscription_notice_is_skipped() {
    let fixture = fixture().await;

    let summary = process(&sample("sns-subscription-notice.json"), &fixture.handler)
        .await
        .expect("skipped");

    assert_eq!(summary.records[0].status, "skipped");
    assert_eq!(summary.records[0].detail, "RDS subscription notice");
}

#[tokio::test]
async fn unreachable_topic_fails_the_record() {
    let fixture = fixture().await;
    let handler = BackupNotifier::new(
        &fixture.config,
        config(
            "arn:aws:sns:us-east-1:123456789012:no-such-topic",
            Format::Text,
            None,
        ),
    );
    let payload = sample_for(
        "sns-backup-finished.json",
        &[("orders-db", &fixture.instance)],
    );

    let error = process(&payload, &handler)
        .await
        .expect_err("publish fails");

    assert!(
        error.to_string().contains(
            "publish to SNS topic arn:aws:sns:us-east-1:123456789012:no-such-topic failed"
        ),
        "{error}"
    );
    assert_eq!(error.failures.len(), 1);
}

/// One representative event of the route and the lines its notification must contain.
struct Case {
    source_type: &'static str,
    source_id: String,
    event: u32,
    message: &'static str,
    severity: &'static str,
    lines: Vec<String>,
    has_snapshot_details: bool,
}

/// Returns the identifier of the automated snapshot moto made when the resource was created.
async fn automated_snapshot(rds: &aws_sdk_rds::Client, instance: &str) -> String {
    rds.describe_db_snapshots()
        .db_instance_identifier(instance)
        .snapshot_type("automated")
        .send()
        .await
        .expect("describe snapshots")
        .db_snapshots()
        .first()
        .and_then(|snapshot| snapshot.db_snapshot_identifier())
        .expect("moto makes an automated snapshot")
        .to_owned()
}

async fn automated_cluster_snapshot(rds: &aws_sdk_rds::Client, cluster: &str) -> String {
    rds.describe_db_cluster_snapshots()
        .db_cluster_identifier(cluster)
        .snapshot_type("automated")
        .send()
        .await
        .expect("describe cluster snapshots")
        .db_cluster_snapshots()
        .first()
        .and_then(|snapshot| snapshot.db_cluster_snapshot_identifier())
        .expect("moto makes an automated cluster snapshot")
        .to_owned()
}

#[tokio::test]
async fn each_event_kind_gets_its_notification() {
    let fixture = fixture().await;
    let rds = aws_sdk_rds::Client::new(&fixture.config);
    let instance = fixture.instance.clone();
    let manual = format!("{instance}-before-upgrade");
    create_snapshot(&rds, &instance, &manual, &[]).await;
    let automated = automated_snapshot(&rds, &instance).await;
    let cluster = create_cluster(&rds, "billing-aurora").await;
    let cluster_manual = format!("{cluster}-before-upgrade");
    rds.create_db_cluster_snapshot()
        .db_cluster_identifier(&cluster)
        .db_cluster_snapshot_identifier(&cluster_manual)
        .send()
        .await
        .expect("create cluster snapshot");
    let cluster_automated = automated_cluster_snapshot(&rds, &cluster).await;

    let instance_retention = format!("Backup retention of DB instance {instance}: 7 days");
    let cluster_retention = format!("Backup retention of DB cluster {cluster}: 14 days");
    let manual_details = format!("Snapshot: {manual} (manual)");
    let cases = [
        Case {
            source_type: "db-instance",
            source_id: instance.clone(),
            event: 1,
            message: "Backing up DB instance",
            severity: "info",
            lines: vec![format!("Resource: db-instance {instance}")],
            has_snapshot_details: false,
        },
        Case {
            source_type: "db-instance",
            source_id: instance.clone(),
            event: 2,
            message: "Finished DB Instance backup",
            severity: "info",
            lines: vec![format!("Snapshot: {automated} (automated)")],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-snapshot",
            source_id: automated.clone(),
            event: 91,
            message: "Automated snapshot created",
            severity: "info",
            lines: vec![
                format!("Snapshot: {automated} (automated)"),
                "Size: 50 GiB allocated".to_owned(),
                "Engine: postgres 16.3".to_owned(),
            ],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-snapshot",
            source_id: manual.clone(),
            event: 42,
            message: "Manual snapshot created",
            severity: "info",
            lines: vec![manual_details.clone()],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-snapshot",
            source_id: manual.clone(),
            event: 484,
            message: "Export task nightly: Table extraction failed for table orders due to disk full.",
            severity: "critical",
            lines: vec![manual_details.clone(), instance_retention.clone()],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-snapshot",
            source_id: manual.clone(),
            event: 60,
            message: "Finished copy of snapshot orders from region us-west-1 in 12 minutes.",
            severity: "info",
            lines: vec![manual_details.clone(), "Status: available".to_owned()],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-snapshot",
            source_id: manual.clone(),
            event: 61,
            message: "Canceled snapshot copy request of orders from region us-west-1.",
            severity: "warning",
            lines: vec![],
            has_snapshot_details: false,
        },
        Case {
            source_type: "db-snapshot",
            source_id: manual.clone(),
            event: 159,
            message: "The snapshot export task failed.",
            severity: "critical",
            lines: vec![manual_details.clone(), instance_retention.clone()],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-snapshot",
            source_id: format!("{instance}-old"),
            event: 41,
            message: "Deleted user snapshot.",
            severity: "warning",
            lines: vec![],
            has_snapshot_details: false,
        },
        Case {
            source_type: "db-cluster-snapshot",
            source_id: cluster_manual.clone(),
            event: 75,
            message: "Manual cluster snapshot created",
            severity: "info",
            lines: vec![
                format!("Snapshot: {cluster_manual} (manual)"),
                "Engine: aurora-postgresql 16.4".to_owned(),
                "Encryption: encrypted with KMS key default_kms_key_id".to_owned(),
            ],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-cluster-snapshot",
            source_id: cluster_automated.clone(),
            event: 169,
            message: "Automated cluster snapshot created",
            severity: "info",
            lines: vec![format!("Snapshot: {cluster_automated} (automated)")],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-cluster-snapshot",
            source_id: cluster_manual.clone(),
            event: 489,
            message: "Export task nightly: Table extraction failed for table invoices due to timeout.",
            severity: "critical",
            lines: vec![
                format!("Snapshot: {cluster_manual} (manual)"),
                cluster_retention.clone(),
            ],
            has_snapshot_details: true,
        },
        Case {
            source_type: "db-cluster",
            source_id: cluster.clone(),
            event: 234,
            message: "Export task failed.",
            severity: "critical",
            lines: vec![cluster_retention.clone()],
            has_snapshot_details: false,
        },
    ];

    for case in cases {
        let label = format!("RDS-EVENT-{:04} of {}", case.event, case.source_type);
        let message_id = unique_name("message");
        let payload = SnsEvent {
            message_id: &message_id,
            source_type: case.source_type,
            source_id: &case.source_id,
            event: case.event,
            message: case.message,
        }
        .payload();

        let summary = process(&payload, &fixture.handler)
            .await
            .unwrap_or_else(|err| panic!("{label}: {err}"));
        let notification = one_notification(&fixture.topic).await;

        assert_eq!(summary.records[0].status, "handled", "{label}");
        let expected_subject = rds_functions::notify::subject_line(&format!(
            "[{}] RDS {}: {}",
            case.severity.to_ascii_uppercase(),
            case.source_id,
            case.message.trim_end_matches('.')
        ));
        assert_eq!(notification.subject, expected_subject, "{label}");
        assert_eq!(
            notification.attributes["Severity"], case.severity,
            "{label}"
        );
        assert_eq!(
            notification.attributes["EventID"],
            format!("RDS-EVENT-{:04}", case.event),
            "{label}"
        );
        for line in &case.lines {
            assert_line(&notification, line);
        }
        assert_eq!(
            notification.message.contains("Snapshot: "),
            case.has_snapshot_details,
            "{label}:\n{}",
            notification.message
        );
        if case.severity == "critical" {
            assert_contains(&notification, "Latest restorable time: 20");
        }
        assert_line(
            &notification,
            "Action: notification sent by backup-notifier",
        );
    }
}

#[tokio::test]
async fn chat_format_carries_details() {
    let fixture = fixture_with(Format::Chat).await;
    let snapshot = format!("{}-before-upgrade", fixture.instance);
    let rds = aws_sdk_rds::Client::new(&fixture.config);
    create_snapshot(&rds, &fixture.instance, &snapshot, &[]).await;
    let payload = sample_for(
        "sns-snapshot-created.json",
        &[("orders-db", &fixture.instance)],
    );

    process(&payload, &fixture.handler).await.expect("handled");
    let notification = one_notification(&fixture.topic).await;

    let body: Value = serde_json::from_str(&notification.message).expect("chat body is JSON");
    let subject = format!("[INFO] RDS {snapshot}: Manual snapshot created");
    assert_eq!(notification.subject, subject);
    assert_eq!(body["version"], "1.0");
    assert_eq!(body["source"], "custom");
    assert_eq!(body["content"]["textType"], "client-markdown");
    assert_eq!(body["content"]["title"], subject.as_str());
    let description = body["content"]["description"]
        .as_str()
        .expect("description");
    assert!(
        description
            .lines()
            .any(|line| line == format!("Snapshot: {snapshot} (manual)")),
        "{description}"
    );
    assert!(
        description
            .lines()
            .any(|line| line == "Engine: postgres 16.3")
    );
    assert_eq!(body["metadata"]["eventType"], "RDS-EVENT-0042");
    assert_eq!(
        body["metadata"]["additionalContext"]["sourceId"],
        snapshot.as_str()
    );
    assert_eq!(body["metadata"]["additionalContext"]["severity"], "info");
    assert_eq!(
        body["metadata"]["relatedResources"][0],
        format!("arn:aws:rds:us-east-1:123456789012:snapshot:{snapshot}")
    );
}

#[tokio::test]
async fn failure_of_unknown_resources_says_what_is_missing() {
    let fixture = fixture().await;
    let snapshot = unique_name("gone-snapshot");
    let cluster = unique_name("gone-aurora");

    let snapshot_failure = SnsEvent {
        message_id: &unique_name("message"),
        source_type: "db-snapshot",
        source_id: &snapshot,
        event: 159,
        message: "The snapshot export task failed.",
    }
    .payload();
    let summary = process(&snapshot_failure, &fixture.handler)
        .await
        .expect("handled");
    let notification = one_notification(&fixture.topic).await;

    assert_eq!(
        summary.records[0].detail,
        "notified-without-snapshot-details"
    );
    assert_eq!(notification.attributes["Severity"], "critical");
    assert_line(
        &notification,
        &format!(
            "Snapshot details: unavailable (DescribeDBSnapshots found no snapshot for {snapshot})"
        ),
    );
    assert_line(
        &notification,
        "Database details: unavailable (the snapshot, and so its database, is unknown)",
    );

    let cluster_failure = SnsEvent {
        message_id: &unique_name("message"),
        source_type: "db-cluster",
        source_id: &cluster,
        event: 234,
        message: "Export task failed.",
    }
    .payload();
    process(&cluster_failure, &fixture.handler)
        .await
        .expect("handled");
    let notification = one_notification(&fixture.topic).await;

    assert_line(
        &notification,
        &format!("Database details: unavailable (DescribeDBClusters found no database {cluster})"),
    );
}
