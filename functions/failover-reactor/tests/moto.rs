//! failover-reactor against moto's server: the handler reads real cluster and instance state
//! over HTTP and its alerts arrive on an SQS queue subscribed to the notification topic.
//!
//! Run under `scripts/with-moto` (`make test`).

use std::time::Duration;

use aws_config::SdkConfig;
use failover_reactor::{Config, FailoverReactor};
use rds_functions::notify::Format;
use rds_functions::records::process;
use rds_functions::testing::{ReceivedNotification, TopicWithQueue, sdk_config, unique_name};
use serde_json::Value;

fn sample_for(name: &str, replacements: &[(&str, &str)]) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

async fn setup() -> (SdkConfig, TopicWithQueue, FailoverReactor) {
    let config = sdk_config().await;
    let topic = TopicWithQueue::create(&config, "failover-alerts").await;
    let handler = FailoverReactor::new(
        &config,
        Config {
            notification_topic_arn: topic.topic_arn.clone(),
            format: Format::Text,
        },
    );
    (config, topic, handler)
}

async fn one_alert(topic: &TopicWithQueue) -> ReceivedNotification {
    let mut received = topic.receive(1, Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1, "expected one alert");
    received.remove(0)
}

/// Creates an Aurora cluster with two instances in two Availability Zones; the first is the
/// writer.
async fn create_cluster(rds: &aws_sdk_rds::Client, cluster: &str) {
    rds.create_db_cluster()
        .db_cluster_identifier(cluster)
        .engine("aurora-postgresql")
        .engine_version("16.4")
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .send()
        .await
        .expect("create cluster");
    for (index, zone) in [(1, "us-east-1a"), (2, "us-east-1b")] {
        rds.create_db_instance()
            .db_instance_identifier(format!("{cluster}-{index}"))
            .db_cluster_identifier(cluster)
            .db_instance_class("db.r6g.large")
            .engine("aurora-postgresql")
            .availability_zone(zone)
            .send()
            .await
            .expect("create cluster instance");
    }
}

#[tokio::test]
async fn cluster_failover_alert_names_new_writer() {
    let (config, topic, handler) = setup().await;
    let rds = aws_sdk_rds::Client::new(&config);
    let cluster = unique_name("billing-aurora");
    create_cluster(&rds, &cluster).await;
    rds.failover_db_cluster()
        .db_cluster_identifier(&cluster)
        .target_db_instance_identifier(format!("{cluster}-2"))
        .send()
        .await
        .expect("fail over");
    let payload = sample_for("sns-cluster-failover.json", &[("billing-aurora", &cluster)]);

    let summary = process(&payload, &handler).await.expect("handled");
    let alert = one_alert(&topic).await;

    assert_eq!(summary.records[0].detail, "alerted");
    assert_eq!(
        alert.subject,
        format!("[WARNING] RDS {cluster}: Completed failover to DB instance: {cluster}-2")
    );
    assert!(
        alert
            .message
            .contains(&format!("Current writer: {cluster}-2 in us-east-1b")),
        "{}",
        alert.message
    );
    assert!(
        alert
            .message
            .contains(&format!("Reader: {cluster}-1 in us-east-1a")),
        "{}",
        alert.message
    );
    assert_eq!(alert.attributes["EventID"], "RDS-EVENT-0071");
    assert_eq!(alert.attributes["Category"], "[\"failover\"]");
    assert_eq!(alert.attributes["Severity"], "warning");
}

#[tokio::test]
async fn instance_failover_alert_reports_zones() {
    let (config, topic, handler) = setup().await;
    let instance = unique_name("orders-db");
    aws_sdk_rds::Client::new(&config)
        .create_db_instance()
        .db_instance_identifier(&instance)
        .db_instance_class("db.m6g.large")
        .engine("postgres")
        .allocated_storage(50)
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .multi_az(true)
        .availability_zone("us-east-1a")
        .send()
        .await
        .expect("create instance");
    let payload = sample_for("sns-instance-failover.json", &[("orders-db", &instance)]);

    process(&payload, &handler).await.expect("handled");
    let alert = one_alert(&topic).await;

    assert_eq!(
        alert.subject,
        format!("[WARNING] RDS {instance}: Multi-AZ instance failover completed")
    );
    assert!(
        alert.message.contains(&format!(
            "Current primary: {instance} in us-east-1a (status available)"
        )),
        "{}",
        alert.message
    );
    assert!(alert.message.contains("Standby: "), "{}", alert.message);
}

#[tokio::test]
async fn eventbridge_failover_is_handled() {
    let (config, topic, handler) = setup().await;
    let instance = unique_name("orders-db");
    aws_sdk_rds::Client::new(&config)
        .create_db_instance()
        .db_instance_identifier(&instance)
        .db_instance_class("db.m6g.large")
        .engine("postgres")
        .allocated_storage(50)
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .multi_az(true)
        .send()
        .await
        .expect("create instance");
    let payload = sample_for(
        "eventbridge-instance-failover.json",
        &[("orders-db", &instance)],
    );

    process(&payload, &handler).await.expect("handled");
    let alert = one_alert(&topic).await;

    assert_eq!(
        alert.subject,
        format!("[WARNING] RDS {instance}: A Multi-AZ failover has completed")
    );
    assert!(
        alert
            .message
            .contains(&format!("Current primary: {instance}")),
        "{}",
        alert.message
    );
}

#[tokio::test]
async fn unknown_cluster_alert_says_not_found() {
    let (_config, topic, handler) = setup().await;
    let payload = sample_for(
        "sns-cluster-failover.json",
        &[("billing-aurora", "no-such-cluster")],
    );

    let summary = process(&payload, &handler).await.expect("alerted");
    let alert = one_alert(&topic).await;

    assert_eq!(summary.records[0].detail, "alerted-without-state");
    assert!(
        alert
            .message
            .contains("Current state: unavailable (DB cluster no-such-cluster not found)"),
        "{}",
        alert.message
    );
}

#[tokio::test]
async fn backup_event_is_outside_route() {
    let (_config, topic, handler) = setup().await;
    let payload = sample_for("sns-backup-finished.json", &[]);

    let summary = process(&payload, &handler).await.expect("skipped");

    assert_eq!(summary.records[0].status, "skipped");
    assert!(
        topic
            .receive(1, Duration::from_millis(500))
            .await
            .is_empty()
    );
}
