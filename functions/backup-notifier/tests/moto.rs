//! backup-notifier against moto's server: the handler describes real snapshots over HTTP
//! and its notifications arrive on an SQS queue subscribed to the notification topic.
//!
//! Run under `scripts/with-moto` (`make test`).

use std::time::Duration;

use aws_config::SdkConfig;
use backup_notifier::{BackupNotifier, Config};
use rds_functions::notify::Format;
use rds_functions::records::process;
use rds_functions::testing::{ReceivedNotification, TopicWithQueue, sdk_config, unique_name};
use serde_json::Value;

fn sample(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Replaces the resource names of a sample so that tests sharing one server do not collide.
fn sample_for(name: &str, replacements: &[(&str, &str)]) -> Value {
    let mut text = sample(name).to_string();
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).expect("still JSON")
}

struct Fixture {
    config: SdkConfig,
    topic: TopicWithQueue,
    handler: BackupNotifier,
    instance: String,
}

async fn fixture() -> Fixture {
    let config = sdk_config().await;
    let topic = TopicWithQueue::create(&config, "backup-notes").await;
    let handler = BackupNotifier::new(
        &config,
        Config {
            notification_topic_arn: topic.topic_arn.clone(),
            format: Format::Text,
        },
    );
    let instance = unique_name("orders-db");
    let rds = aws_sdk_rds::Client::new(&config);
    rds.create_db_instance()
        .db_instance_identifier(&instance)
        .db_instance_class("db.m6g.large")
        .engine("postgres")
        .engine_version("16.3")
        .allocated_storage(50)
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .multi_az(true)
        .storage_encrypted(true)
        .backup_retention_period(7)
        .send()
        .await
        .expect("create instance");
    Fixture {
        config,
        topic,
        handler,
        instance,
    }
}

async fn one_notification(topic: &TopicWithQueue) -> ReceivedNotification {
    let mut received = topic.receive(1, Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1, "expected one notification");
    received.remove(0)
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
    let cluster = unique_name("billing-aurora");
    rds.create_db_cluster()
        .db_cluster_identifier(&cluster)
        .engine("aurora-postgresql")
        .engine_version("16.4")
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .send()
        .await
        .expect("create cluster");
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
        Config {
            notification_topic_arn: "arn:aws:sns:us-east-1:123456789012:no-such-topic".to_owned(),
            format: Format::Text,
        },
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
