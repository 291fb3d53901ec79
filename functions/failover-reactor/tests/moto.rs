//! failover-reactor against moto's server: the handler reads real cluster and instance state
//! over HTTP, fails back with FailoverDBCluster (moto moves the writer), and its alerts arrive
//! on an SQS queue subscribed to the notification topic.
//!
//! moto's DescribeEvents lists no failover events, so the cooldown and the history guards
//! are tested with mocked clients in `mocked.rs`.
//!
//! Run under `scripts/with-moto` (`make test`).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_rds::types::Tag;
use chrono::{TimeDelta, Utc};
use common::{EventSpec, sns_payload};
use failover_reactor::{Config, FailbackConfig, FailoverReactor};
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

async fn setup(failback: FailbackConfig) -> (SdkConfig, TopicWithQueue, FailoverReactor) {
    let config = sdk_config().await;
    let topic = TopicWithQueue::create(&config, "failover-alerts").await;
    let reactor = FailoverReactor::new(
        &config,
        Config {
            notification_topic_arn: topic.topic_arn.clone(),
            format: Format::Text,
            failback,
        },
    );
    (config, topic, reactor)
}

/// Fail back switched on, with no preference configured.
fn live() -> FailbackConfig {
    FailbackConfig {
        dry_run: false,
        ..FailbackConfig::default()
    }
}

async fn one_alert(topic: &TopicWithQueue) -> ReceivedNotification {
    let mut received = topic.receive(1, Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1, "expected one alert");
    received.remove(0)
}

/// Delivers one event in its own invocation and returns the record's action and the alert.
async fn deliver(
    reactor: &FailoverReactor,
    topic: &TopicWithQueue,
    event: EventSpec,
) -> (String, ReceivedNotification) {
    let summary = process(&sns_payload(&[event]), &reactor.invocation())
        .await
        .expect("handled");
    let alert = one_alert(topic).await;
    (summary.records[0].detail.clone(), alert)
}

/// Creates an Aurora cluster with two instances, `{cluster}-1` in us-east-1a (the writer)
/// and `{cluster}-2` in us-east-1b, and returns their ARNs.
async fn create_cluster(rds: &aws_sdk_rds::Client, cluster: &str) -> Vec<String> {
    rds.create_db_cluster()
        .db_cluster_identifier(cluster)
        .engine("aurora-postgresql")
        .engine_version("16.4")
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .send()
        .await
        .expect("create cluster");
    let mut arns = Vec::new();
    for (index, zone) in [(1, "us-east-1a"), (2, "us-east-1b")] {
        let output = rds
            .create_db_instance()
            .db_instance_identifier(format!("{cluster}-{index}"))
            .db_cluster_identifier(cluster)
            .db_instance_class("db.r6g.large")
            .engine("aurora-postgresql")
            .availability_zone(zone)
            .send()
            .await
            .expect("create cluster instance");
        let arn = output
            .db_instance()
            .and_then(|instance| instance.db_instance_arn())
            .expect("instance ARN");
        arns.push(arn.to_owned());
    }
    arns
}

async fn tag(rds: &aws_sdk_rds::Client, arn: &str, key: &str, value: &str) {
    rds.add_tags_to_resource()
        .resource_name(arn)
        .tags(Tag::builder().key(key).value(value).build())
        .send()
        .await
        .expect("tag");
}

async fn fail_over(rds: &aws_sdk_rds::Client, cluster: &str, target: &str) {
    rds.failover_db_cluster()
        .db_cluster_identifier(cluster)
        .target_db_instance_identifier(target)
        .send()
        .await
        .expect("fail over");
}

async fn writer_of(rds: &aws_sdk_rds::Client, cluster: &str) -> String {
    let output = rds
        .describe_db_clusters()
        .db_cluster_identifier(cluster)
        .send()
        .await
        .expect("describe cluster");
    output.db_clusters()[0]
        .db_cluster_members()
        .iter()
        .find(|member| member.is_cluster_writer() == Some(true))
        .and_then(|member| member.db_instance_identifier())
        .expect("a writer")
        .to_owned()
}

fn completed(cluster: &str, writer: &str) -> EventSpec {
    EventSpec::cluster(
        cluster,
        71,
        &format!("Completed failover to DB instance: {writer}"),
        Utc::now() - TimeDelta::seconds(30),
    )
}

fn assert_contains(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected {expected:?} in:\n{text}");
}

#[tokio::test]
async fn cluster_failover_alert_names_new_writer() {
    let (config, topic, reactor) = setup(FailbackConfig::default()).await;
    let rds = aws_sdk_rds::Client::new(&config);
    let cluster = unique_name("billing-aurora");
    create_cluster(&rds, &cluster).await;
    fail_over(&rds, &cluster, &format!("{cluster}-2")).await;
    let payload = sample_for("sns-cluster-failover.json", &[("billing-aurora", &cluster)]);

    let summary = process(&payload, &reactor.invocation())
        .await
        .expect("handled");
    let alert = one_alert(&topic).await;

    assert_eq!(summary.records[0].detail, "alerted");
    assert_eq!(
        alert.subject,
        format!("[WARNING] RDS {cluster}: Completed failover to DB instance: {cluster}-2")
    );
    assert_contains(
        &alert.message,
        &format!("Current writer: {cluster}-2 in us-east-1b"),
    );
    assert_contains(
        &alert.message,
        &format!("Reader: {cluster}-1 in us-east-1a"),
    );
    assert_contains(
        &alert.message,
        "Preferred writer: none configured or tagged",
    );
    assert_contains(&alert.message, "Action: none; no preferred writer");
    assert_contains(&alert.message, "Sent by failover-reactor (DRY_RUN=true)");
    assert_eq!(alert.attributes["EventID"], "RDS-EVENT-0071");
    assert_eq!(alert.attributes["Category"], "[\"failover\"]");
    assert_eq!(alert.attributes["Severity"], "warning");
}

/// Completed twice (a redelivery), then the start of the same failover after its
/// completion: the writer moves back once and the later deliveries only report.
#[tokio::test]
async fn duplicates_and_late_start_fail_back_once() {
    let (config, topic, reactor) = setup(live()).await;
    let rds = aws_sdk_rds::Client::new(&config);
    let cluster = unique_name("billing-aurora");
    let arns = create_cluster(&rds, &cluster).await;
    tag(&rds, &arns[0], "failover-reactor:preferred-writer", "true").await;
    fail_over(&rds, &cluster, &format!("{cluster}-2")).await;
    let completed = completed(&cluster, &format!("{cluster}-2"));
    let started = EventSpec::cluster(
        &cluster,
        73,
        &format!("Started cross AZ failover to DB instance: {cluster}-2"),
        completed.time - TimeDelta::seconds(40),
    );

    let first = process(
        &sns_payload(std::slice::from_ref(&completed)),
        &reactor.invocation(),
    )
    .await
    .expect("first delivery");
    let writer_after_first = writer_of(&rds, &cluster).await;
    let second = process(&sns_payload(&[completed]), &reactor.invocation())
        .await
        .expect("second delivery");
    let writer_after_second = writer_of(&rds, &cluster).await;
    let late = process(&sns_payload(&[started]), &reactor.invocation())
        .await
        .expect("late start");
    let writer_after_late = writer_of(&rds, &cluster).await;
    let alerts = topic.receive(3, Duration::from_secs(5)).await;

    assert_eq!(first.records[0].detail, "failback-started");
    assert_eq!(writer_after_first, format!("{cluster}-1"));
    assert_eq!(second.records[0].detail, "alerted");
    assert_eq!(writer_after_second, format!("{cluster}-1"));
    assert_eq!(late.records[0].detail, "alerted");
    assert_eq!(writer_after_late, format!("{cluster}-1"));
    assert_eq!(alerts.len(), 3);
    let requested: Vec<&ReceivedNotification> = alerts
        .iter()
        .filter(|alert| alert.message.contains("Action: fail back requested"))
        .collect();
    assert_eq!(requested.len(), 1, "{alerts:#?}");
    assert_contains(
        &requested[0].message,
        &format!(
            "Action: fail back requested: FailoverDBCluster to make {cluster}-1 the writer of {cluster} again (writer now: {cluster}-2)"
        ),
    );
    assert_contains(
        &requested[0].message,
        &format!("Preferred writer: {cluster}-1 (from tag failover-reactor:preferred-writer)"),
    );
    let in_place = alerts
        .iter()
        .filter(|alert| {
            alert.message.contains(&format!(
                "Action: none; the preferred writer {cluster}-1 is the writer already"
            ))
        })
        .count();
    assert_eq!(in_place, 2, "{alerts:#?}");
}

/// `DRY_RUN=true` reports the fail back it would make and leaves the writer where it is.
/// `PREFERRED_WRITERS` wins over a tag on another member.
#[tokio::test]
async fn dry_run_changes_nothing() {
    let config = sdk_config().await;
    let rds = aws_sdk_rds::Client::new(&config);
    let cluster = unique_name("billing-aurora");
    let arns = create_cluster(&rds, &cluster).await;
    tag(&rds, &arns[1], "failover-reactor:preferred-writer", "true").await;
    fail_over(&rds, &cluster, &format!("{cluster}-2")).await;
    let failback = FailbackConfig {
        dry_run: true,
        preferred_writers: BTreeMap::from([(cluster.clone(), format!("{cluster}-1"))]),
        ..FailbackConfig::default()
    };
    let (_, topic, reactor) = setup(failback).await;

    let (action, alert) = deliver(
        &reactor,
        &topic,
        completed(&cluster, &format!("{cluster}-2")),
    )
    .await;

    assert_eq!(action, "failback-dry-run");
    assert_eq!(writer_of(&rds, &cluster).await, format!("{cluster}-2"));
    assert_contains(
        &alert.message,
        &format!("Preferred writer: {cluster}-1 (from PREFERRED_WRITERS)"),
    );
    assert_contains(
        &alert.message,
        &format!(
            "Action: none, because DRY_RUN=true; without it the function would call FailoverDBCluster to make {cluster}-1 the writer of {cluster} again"
        ),
    );
}

#[tokio::test]
async fn two_tagged_members_are_reported() {
    let (config, topic, reactor) = setup(live()).await;
    let rds = aws_sdk_rds::Client::new(&config);
    let cluster = unique_name("billing-aurora");
    let arns = create_cluster(&rds, &cluster).await;
    for arn in &arns {
        tag(&rds, arn, "failover-reactor:preferred-writer", "true").await;
    }
    fail_over(&rds, &cluster, &format!("{cluster}-2")).await;

    let (action, alert) = deliver(
        &reactor,
        &topic,
        completed(&cluster, &format!("{cluster}-2")),
    )
    .await;

    assert_eq!(action, "failback-misconfigured");
    assert_eq!(writer_of(&rds, &cluster).await, format!("{cluster}-2"));
    assert_contains(
        &alert.message,
        &format!(
            "Preferred writer: configuration problem: 2 members are tagged failover-reactor:preferred-writer=true ({cluster}-1, {cluster}-2)"
        ),
    );
}

/// Two clusters need a fail back in one invocation: the first record acts, the second
/// reports the one-action limit.
#[tokio::test]
async fn one_action_per_invocation() {
    let config = sdk_config().await;
    let rds = aws_sdk_rds::Client::new(&config);
    let clusters = [unique_name("billing-aurora"), unique_name("ledger-aurora")];
    let mut preferred = BTreeMap::new();
    for cluster in &clusters {
        create_cluster(&rds, cluster).await;
        fail_over(&rds, cluster, &format!("{cluster}-2")).await;
        preferred.insert(cluster.clone(), format!("{cluster}-1"));
    }
    let (_, topic, reactor) = setup(FailbackConfig {
        preferred_writers: preferred,
        ..live()
    })
    .await;
    let events: Vec<EventSpec> = clusters
        .iter()
        .map(|cluster| completed(cluster, &format!("{cluster}-2")))
        .collect();

    let summary = process(&sns_payload(&events), &reactor.invocation())
        .await
        .expect("handled");
    let alerts = topic.receive(2, Duration::from_secs(5)).await;

    assert_eq!(summary.records[0].detail, "failback-started");
    assert_eq!(summary.records[1].detail, "failback-held");
    let [first, second] = &clusters;
    assert_eq!(writer_of(&rds, first).await, format!("{first}-1"));
    assert_eq!(writer_of(&rds, second).await, format!("{second}-2"));
    assert_eq!(alerts.len(), 2);
    assert!(
        alerts.iter().any(|alert| alert.message.contains(
            "Held by: another record of this invocation already failed back (one action per invocation)"
        )),
        "{alerts:#?}"
    );
}

#[tokio::test]
async fn instance_failover_alert_reports_zones() {
    let (config, topic, reactor) = setup(live()).await;
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
        .tags(
            Tag::builder()
                .key("failover-reactor:preferred-az")
                .value("us-east-1b")
                .build(),
        )
        .send()
        .await
        .expect("create instance");
    let payload = sample_for("sns-instance-failover.json", &[("orders-db", &instance)]);

    let summary = process(&payload, &reactor.invocation())
        .await
        .expect("handled");
    let alert = one_alert(&topic).await;

    assert_eq!(summary.records[0].detail, "failback-held");
    assert_eq!(
        alert.subject,
        format!("[WARNING] RDS {instance}: Multi-AZ instance failover completed")
    );
    assert_contains(
        &alert.message,
        &format!("Current primary: {instance} in us-east-1a (status available)"),
    );
    assert_contains(&alert.message, "Standby: ");
    assert_contains(
        &alert.message,
        "Preferred Availability Zone: us-east-1b (from tag failover-reactor:preferred-az)",
    );
    assert_contains(
        &alert.message,
        &format!(
            "Action: none; fail back held: RebootDBInstance with ForceFailover to move the primary of {instance} from us-east-1a to us-east-1b"
        ),
    );
    assert_contains(&alert.message, "Held by: ALLOW_INSTANCE_FAILBACK is false");
}

/// moto reports no SecondaryAvailabilityZone, so even with instance fail back allowed the
/// function cannot tell that a failover would reach the preferred zone, and does not reboot.
#[tokio::test]
async fn instance_without_standby_zone_is_held() {
    let (config, topic, reactor) = setup(FailbackConfig {
        allow_instance_failback: true,
        ..live()
    })
    .await;
    let rds = aws_sdk_rds::Client::new(&config);
    let instance = unique_name("orders-db");
    rds.create_db_instance()
        .db_instance_identifier(&instance)
        .db_instance_class("db.m6g.large")
        .engine("postgres")
        .allocated_storage(50)
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .multi_az(true)
        .availability_zone("us-east-1b")
        .tags(
            Tag::builder()
                .key("failover-reactor:preferred-az")
                .value("us-east-1a")
                .build(),
        )
        .send()
        .await
        .expect("create instance");
    let event = EventSpec::instance(
        &instance,
        49,
        "Multi-AZ instance failover completed",
        Utc::now() - TimeDelta::seconds(30),
    );

    let (action, alert) = deliver(&reactor, &topic, event).await;

    assert_eq!(action, "failback-held");
    assert_contains(
        &alert.message,
        "Held by: RDS reports no Availability Zone for the standby, so a failover may not reach us-east-1a",
    );
    assert!(
        !alert.message.contains("ALLOW_INSTANCE_FAILBACK"),
        "{}",
        alert.message
    );
}

#[tokio::test]
async fn eventbridge_failover_is_handled() {
    let (config, topic, reactor) = setup(FailbackConfig::default()).await;
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

    process(&payload, &reactor.invocation())
        .await
        .expect("handled");
    let alert = one_alert(&topic).await;

    assert_eq!(
        alert.subject,
        format!("[WARNING] RDS {instance}: A Multi-AZ failover has completed")
    );
    assert_contains(&alert.message, &format!("Current primary: {instance}"));
    assert_contains(
        &alert.message,
        "Action: none; no preferred Availability Zone",
    );
}

/// An unknown cluster is alerted as not found and the record succeeds: a retry cannot make
/// the cluster appear, and nothing is changed.
#[tokio::test]
async fn unknown_cluster_alert_says_not_found() {
    let (_config, topic, reactor) = setup(live()).await;
    let payload = sample_for(
        "sns-cluster-failover.json",
        &[("billing-aurora", "no-such-cluster")],
    );

    let summary = process(&payload, &reactor.invocation())
        .await
        .expect("alerted");
    let alert = one_alert(&topic).await;

    assert_eq!(summary.records[0].status, "handled");
    assert_eq!(summary.records[0].detail, "alerted-source-not-found");
    assert_contains(
        &alert.message,
        "Current state: unavailable (DB cluster no-such-cluster not found; it was deleted, or the function runs in another account or Region)",
    );
    assert_contains(
        &alert.message,
        "Action: none; the current state could not be read, so nothing was changed",
    );
}

#[tokio::test]
async fn backup_event_is_outside_route() {
    let (_config, topic, reactor) = setup(FailbackConfig::default()).await;
    let payload = sample_for("sns-backup-finished.json", &[]);

    let summary = process(&payload, &reactor.invocation())
        .await
        .expect("skipped");

    assert_eq!(summary.records[0].status, "skipped");
    assert!(
        topic
            .receive(1, Duration::from_millis(500))
            .await
            .is_empty()
    );
}
