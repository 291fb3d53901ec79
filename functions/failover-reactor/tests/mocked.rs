//! failover-reactor against mocked RDS and SNS clients (aws-smithy-mocks), for the states and
//! histories moto's server cannot produce: failover events in DescribeEvents, a cluster that
//! is `failing-over`, a FailoverDBCluster rejected as busy, a Multi-AZ instance whose standby
//! zone is reported. The mocks keep a small fake RDS whose writer moves when FailoverDBCluster
//! is called, so each test counts the calls and checks the state they leave.
//!
//! These tests need no server: `cargo test -p failover-reactor`.

mod common;

use std::sync::{Arc, Mutex};

use aws_sdk_rds::error::ErrorMetadata;
use aws_sdk_rds::operation::describe_db_clusters::DescribeDbClustersOutput;
use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
use aws_sdk_rds::operation::describe_events::{DescribeEventsError, DescribeEventsOutput};
use aws_sdk_rds::operation::failover_db_cluster::{
    FailoverDBClusterError, FailoverDbClusterOutput,
};
use aws_sdk_rds::operation::list_tags_for_resource::ListTagsForResourceOutput;
use aws_sdk_rds::operation::reboot_db_instance::RebootDbInstanceOutput;
use aws_sdk_rds::types::error::InvalidDbClusterStateFault;
use aws_sdk_rds::types::{DbCluster, DbClusterMember, DbInstance, Event, Tag};
use aws_sdk_sns::operation::publish::PublishOutput;
use aws_smithy_mocks::{MockResponse, Rule, RuleMode, mock, mock_client};
use chrono::{DateTime, TimeDelta, Utc};
use common::{EventSpec, sns_payload};
use failover_reactor::{Config, FailbackConfig, FailoverReactor};
use rds_functions::notify::Format;
use rds_functions::records::process;

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:rds-notifications";

/// A DB instance of the fake RDS.
#[derive(Debug, Clone)]
struct Instance {
    identifier: String,
    zone: String,
    standby_zone: Option<String>,
    status: String,
    cluster: Option<String>,
    tags: Vec<(String, String)>,
}

impl Instance {
    fn arn(&self) -> String {
        format!("arn:aws:rds:us-east-1:123456789012:db:{}", self.identifier)
    }

    fn to_sdk(&self) -> DbInstance {
        DbInstance::builder()
            .db_instance_identifier(&self.identifier)
            .db_instance_arn(self.arn())
            .availability_zone(&self.zone)
            .set_secondary_availability_zone(self.standby_zone.clone())
            .multi_az(self.standby_zone.is_some())
            .db_instance_status(&self.status)
            .set_db_cluster_identifier(self.cluster.clone())
            .build()
    }
}

/// The fake RDS: one cluster (or none), its instances, and the source's events.
#[derive(Debug, Clone)]
struct Fake {
    cluster: String,
    cluster_status: String,
    writer: String,
    instances: Vec<Instance>,
    events: Vec<(DateTime<Utc>, String)>,
    /// FailoverDBCluster fails with InvalidDBClusterStateFault.
    busy: bool,
    /// DescribeEvents fails.
    history_denied: bool,
}

impl Fake {
    /// Cluster `billing` after a failover: `billing-b` (us-east-1b) is the writer, and
    /// `billing-a` (us-east-1a) is tagged as the preferred writer.
    fn failed_over_cluster() -> Fake {
        let member = |identifier: &str, zone: &str, preferred: bool| Instance {
            identifier: identifier.to_owned(),
            zone: zone.to_owned(),
            standby_zone: None,
            status: "available".to_owned(),
            cluster: Some("billing".to_owned()),
            tags: if preferred {
                vec![(
                    "failover-reactor:preferred-writer".to_owned(),
                    "true".to_owned(),
                )]
            } else {
                Vec::new()
            },
        };
        Fake {
            cluster: "billing".to_owned(),
            cluster_status: "available".to_owned(),
            writer: "billing-b".to_owned(),
            instances: vec![
                member("billing-a", "us-east-1a", true),
                member("billing-b", "us-east-1b", false),
            ],
            events: Vec::new(),
            busy: false,
            history_denied: false,
        }
    }

    /// Multi-AZ instance `orders` after a failover: the primary is in us-east-1b and the
    /// standby in us-east-1a, the zone its tag prefers.
    fn failed_over_instance() -> Fake {
        Fake {
            cluster: String::new(),
            cluster_status: String::new(),
            writer: String::new(),
            instances: vec![Instance {
                identifier: "orders".to_owned(),
                zone: "us-east-1b".to_owned(),
                standby_zone: Some("us-east-1a".to_owned()),
                status: "available".to_owned(),
                cluster: None,
                tags: vec![(
                    "failover-reactor:preferred-az".to_owned(),
                    "us-east-1a".to_owned(),
                )],
            }],
            events: Vec::new(),
            busy: false,
            history_denied: false,
        }
    }

    /// Sets the source's events, each given as minutes ago and message.
    fn with_events(mut self, events: &[(i64, &str)]) -> Fake {
        self.events = events
            .iter()
            .map(|(minutes, message)| (minutes_ago(*minutes), (*message).to_owned()))
            .collect();
        self
    }

    /// Finishes a failover that FailoverDBCluster started: the target becomes the writer.
    fn complete_failover(&mut self, target: &str) {
        self.writer = target.to_owned();
        self.cluster_status = "available".to_owned();
        self.events.push((
            Utc::now(),
            format!("Completed failover to DB instance: {target}"),
        ));
    }
}

/// The mocked clients, the rules whose calls the tests count, and what was published.
struct Harness {
    fake: Arc<Mutex<Fake>>,
    failover: Rule,
    reboot: Rule,
    alerts: Arc<Mutex<Vec<(String, String)>>>,
    reactor: FailoverReactor,
}

fn minutes_ago(minutes: i64) -> DateTime<Utc> {
    Utc::now() - TimeDelta::minutes(minutes)
}

fn to_smithy(time: DateTime<Utc>) -> aws_sdk_rds::primitives::DateTime {
    aws_sdk_rds::primitives::DateTime::from_millis(time.timestamp_millis())
}

impl Harness {
    fn new(fake: Fake, failback: FailbackConfig) -> Harness {
        let fake = Arc::new(Mutex::new(fake));

        let state = Arc::clone(&fake);
        let describe_clusters = mock!(aws_sdk_rds::Client::describe_db_clusters)
            .then_compute_output(move |request| {
                let fake = state.lock().expect("fake RDS");
                if request.db_cluster_identifier() != Some(fake.cluster.as_str()) {
                    return DescribeDbClustersOutput::builder().build();
                }
                let members = fake.instances.iter().map(|instance| {
                    DbClusterMember::builder()
                        .db_instance_identifier(&instance.identifier)
                        .is_cluster_writer(instance.identifier == fake.writer)
                        .build()
                });
                DescribeDbClustersOutput::builder()
                    .db_clusters(
                        DbCluster::builder()
                            .db_cluster_identifier(&fake.cluster)
                            .status(&fake.cluster_status)
                            .set_db_cluster_members(Some(members.collect()))
                            .build(),
                    )
                    .build()
            });

        let state = Arc::clone(&fake);
        let describe_instances = mock!(aws_sdk_rds::Client::describe_db_instances)
            .then_compute_output(move |request| {
                let fake = state.lock().expect("fake RDS");
                let wanted = request.db_instance_identifier();
                let instances = fake
                    .instances
                    .iter()
                    .filter(|instance| wanted.is_none_or(|id| id == instance.identifier))
                    .map(Instance::to_sdk);
                DescribeDbInstancesOutput::builder()
                    .set_db_instances(Some(instances.collect()))
                    .build()
            });

        let state = Arc::clone(&fake);
        let list_tags = mock!(aws_sdk_rds::Client::list_tags_for_resource).then_compute_output(
            move |request| {
                let fake = state.lock().expect("fake RDS");
                let tags = fake
                    .instances
                    .iter()
                    .filter(|instance| request.resource_name() == Some(instance.arn().as_str()))
                    .flat_map(|instance| instance.tags.clone())
                    .map(|(key, value)| Tag::builder().key(key).value(value).build());
                ListTagsForResourceOutput::builder()
                    .set_tag_list(Some(tags.collect()))
                    .build()
            },
        );

        let state = Arc::clone(&fake);
        let describe_events =
            mock!(aws_sdk_rds::Client::describe_events).then_compute_response(move |request| {
                let fake = state.lock().expect("fake RDS");
                if fake.history_denied {
                    return MockResponse::Error(DescribeEventsError::generic(
                        ErrorMetadata::builder()
                            .code("AccessDenied")
                            .message("not authorized to perform rds:DescribeEvents")
                            .build(),
                    ));
                }
                let events = fake.events.iter().map(|(date, message)| {
                    Event::builder()
                        .set_source_identifier(request.source_identifier().map(str::to_owned))
                        .message(message)
                        .event_categories("failover")
                        .date(to_smithy(*date))
                        .build()
                });
                MockResponse::Output(
                    DescribeEventsOutput::builder()
                        .set_events(Some(events.collect()))
                        .build(),
                )
            });

        // FailoverDBCluster starts the failover: the cluster is failing-over until the test
        // completes it with `Fake::complete_failover`.
        let state = Arc::clone(&fake);
        let failover =
            mock!(aws_sdk_rds::Client::failover_db_cluster).then_compute_response(move |request| {
                let mut fake = state.lock().expect("fake RDS");
                if fake.busy {
                    return MockResponse::Error(
                        FailoverDBClusterError::InvalidDbClusterStateFault(
                            InvalidDbClusterStateFault::builder()
                                .message("DB cluster billing is failing-over")
                                .build(),
                        ),
                    );
                }
                let target = request.target_db_instance_identifier().unwrap_or_default();
                fake.cluster_status = "failing-over".to_owned();
                fake.events.push((
                    Utc::now(),
                    format!("Started cross AZ failover to DB instance: {target}"),
                ));
                MockResponse::Output(FailoverDbClusterOutput::builder().build())
            });

        // RebootDBInstance with ForceFailover swaps the primary and standby zones.
        let state = Arc::clone(&fake);
        let reboot = mock!(aws_sdk_rds::Client::reboot_db_instance)
            .match_requests(|request| request.force_failover() == Some(true))
            .then_compute_output(move |request| {
                let mut fake = state.lock().expect("fake RDS");
                for instance in &mut fake.instances {
                    if request.db_instance_identifier() == Some(instance.identifier.as_str())
                        && let Some(standby) = instance.standby_zone.take()
                    {
                        instance.standby_zone =
                            Some(std::mem::replace(&mut instance.zone, standby));
                    }
                }
                RebootDbInstanceOutput::builder().build()
            });

        let alerts = Arc::new(Mutex::new(Vec::new()));
        let published = Arc::clone(&alerts);
        let publish = mock!(aws_sdk_sns::Client::publish).then_compute_output(move |request| {
            published.lock().expect("alerts").push((
                request.subject().unwrap_or_default().to_owned(),
                request.message().unwrap_or_default().to_owned(),
            ));
            PublishOutput::builder().message_id("alert-1").build()
        });

        let rds = mock_client!(
            aws_sdk_rds,
            RuleMode::MatchAny,
            [
                &describe_clusters,
                &describe_instances,
                &list_tags,
                &describe_events,
                &failover,
                &reboot
            ]
        );
        let sns = mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&publish]);
        let reactor = FailoverReactor::from_clients(
            rds,
            sns,
            Config {
                notification_topic_arn: TOPIC.to_owned(),
                format: Format::Text,
                failback,
            },
        );
        Harness {
            fake,
            failover,
            reboot,
            alerts,
            reactor,
        }
    }

    /// Delivers one event in its own invocation and returns the record's action and the
    /// alert's body.
    async fn deliver(&self, event: EventSpec) -> (String, String) {
        let summary = process(&sns_payload(&[event]), &self.reactor.invocation())
            .await
            .expect("handled");
        let alerts = self.alerts.lock().expect("alerts");
        let (_, body) = alerts.last().expect("an alert").clone();
        (summary.records[0].detail.clone(), body)
    }

    fn fake(&self) -> std::sync::MutexGuard<'_, Fake> {
        self.fake.lock().expect("fake RDS")
    }
}

fn live() -> FailbackConfig {
    FailbackConfig {
        dry_run: false,
        ..FailbackConfig::default()
    }
}

fn completed(target: &str, time: DateTime<Utc>) -> EventSpec {
    EventSpec::cluster(
        "billing",
        71,
        &format!("Completed failover to DB instance: {target}"),
        time,
    )
}

fn assert_contains(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected {expected:?} in:\n{text}");
}

/// Completed twice, the second time while the fail back runs, then the start of the
/// original failover after everything: one FailoverDBCluster call, and the writer moves back
/// once.
#[tokio::test]
async fn duplicates_and_late_start_call_failover_once() {
    let fake = Fake::failed_over_cluster().with_events(&[
        (2, "Started cross AZ failover to DB instance: billing-b"),
        (1, "Completed failover to DB instance: billing-b"),
    ]);
    let harness = Harness::new(fake, live());
    let trigger = completed("billing-b", minutes_ago(1));

    let (first, first_alert) = harness.deliver(trigger.clone()).await;
    let (second, second_alert) = harness.deliver(trigger).await;
    harness.fake().complete_failover("billing-a");
    let (late, late_alert) = harness
        .deliver(EventSpec::cluster(
            "billing",
            73,
            "Started cross AZ failover to DB instance: billing-b",
            minutes_ago(2),
        ))
        .await;

    assert_eq!(harness.failover.num_calls(), 1);
    assert_eq!(harness.fake().writer, "billing-a");
    assert_eq!(first, "failback-started");
    assert_contains(
        &first_alert,
        "Action: fail back requested: FailoverDBCluster to make billing-a the writer of billing again (writer now: billing-b)",
    );
    assert_eq!(second, "failback-held");
    assert_contains(
        &second_alert,
        "Held by: DB cluster billing is failing-over, not available: a failover or change is in progress",
    );
    assert_contains(&second_alert, "Held by: a failover started at ");
    assert_eq!(late, "alerted");
    assert_contains(
        &late_alert,
        "Action: none; the preferred writer billing-a is the writer already",
    );
}

/// The writer failed over, was failed back, and failed over again within the cooldown: no
/// second fail back, so the writer does not flap.
#[tokio::test]
async fn cooldown_stops_second_fail_back() {
    let fake = Fake::failed_over_cluster().with_events(&[
        (20, "Completed failover to DB instance: billing-b"),
        (15, "Completed failover to DB instance: billing-a"),
        (1, "Completed failover to DB instance: billing-b"),
    ]);
    let harness = Harness::new(fake, live());

    let (action, alert) = harness
        .deliver(completed("billing-b", minutes_ago(1)))
        .await;

    assert_eq!(action, "failback-held");
    assert_eq!(harness.failover.num_calls(), 0);
    assert_eq!(harness.fake().writer, "billing-b");
    assert_contains(
        &alert,
        "Held by: cooldown: 3 failovers completed in the last 30 minutes",
    );
}

/// Failovers older than the cooldown do not count.
#[tokio::test]
async fn cooldown_ignores_older_failovers() {
    let fake = Fake::failed_over_cluster().with_events(&[
        (50, "Completed failover to DB instance: billing-b"),
        (45, "Completed failover to DB instance: billing-a"),
        (1, "Completed failover to DB instance: billing-b"),
    ]);
    let harness = Harness::new(fake, live());

    let (action, _) = harness
        .deliver(completed("billing-b", minutes_ago(1)))
        .await;

    assert_eq!(action, "failback-started");
    assert_eq!(harness.failover.num_calls(), 1);
}

#[tokio::test]
async fn failing_over_cluster_is_held() {
    let mut fake = Fake::failed_over_cluster();
    fake.cluster_status = "failing-over".to_owned();
    let harness = Harness::new(fake, live());

    let (action, alert) = harness
        .deliver(completed("billing-b", minutes_ago(1)))
        .await;

    assert_eq!(action, "failback-held");
    assert_eq!(harness.failover.num_calls(), 0);
    assert_contains(&alert, "Cluster status: failing-over");
    assert_contains(
        &alert,
        "Held by: DB cluster billing is failing-over, not available",
    );
}

/// The cluster still reports available, but DescribeEvents shows a failover that started after
/// the last completion.
#[tokio::test]
async fn started_failover_in_history_is_held() {
    let fake = Fake::failed_over_cluster().with_events(&[
        (3, "Completed failover to DB instance: billing-b"),
        (1, "Started same AZ failover to DB instance: billing-b"),
    ]);
    let harness = Harness::new(fake, live());

    let (action, alert) = harness
        .deliver(completed("billing-b", minutes_ago(3)))
        .await;

    assert_eq!(action, "failback-held");
    assert_eq!(harness.failover.num_calls(), 0);
    assert_contains(&alert, "Held by: a failover started at ");
    assert_contains(
        &alert,
        "has not completed (Started same AZ failover to DB instance: billing-b)",
    );
}

#[tokio::test]
async fn unavailable_preferred_writer_is_held() {
    let mut fake = Fake::failed_over_cluster();
    fake.instances[0].status = "rebooting".to_owned();
    let harness = Harness::new(fake, live());

    let (action, alert) = harness
        .deliver(completed("billing-b", minutes_ago(1)))
        .await;

    assert_eq!(action, "failback-held");
    assert_eq!(harness.failover.num_calls(), 0);
    assert_contains(
        &alert,
        "Held by: the preferred writer billing-a is rebooting, not available",
    );
}

/// InvalidDBClusterStateFault (another failover started meanwhile) is reported as busy and
/// not retried.
#[tokio::test]
async fn busy_cluster_is_reported_not_retried() {
    let mut fake = Fake::failed_over_cluster();
    fake.busy = true;
    let harness = Harness::new(fake, live());

    let (action, alert) = harness
        .deliver(completed("billing-b", minutes_ago(1)))
        .await;

    assert_eq!(action, "failback-busy");
    assert_eq!(harness.failover.num_calls(), 1);
    assert_contains(
        &alert,
        "Action: fail back not done: cluster busy (FailoverDBCluster: InvalidDbClusterStateFault [InvalidDBClusterStateFault]: DB cluster billing is failing-over); not retried, the next failover event decides again",
    );
}

#[tokio::test]
async fn missing_history_is_held() {
    let mut fake = Fake::failed_over_cluster();
    fake.history_denied = true;
    let harness = Harness::new(fake, live());

    let (action, alert) = harness
        .deliver(completed("billing-b", minutes_ago(1)))
        .await;

    assert_eq!(action, "failback-held");
    assert_eq!(harness.failover.num_calls(), 0);
    assert_contains(
        &alert,
        "Since the event: unavailable (DescribeEvents failed for db-cluster billing",
    );
    assert_contains(&alert, "Held by: the event history is unavailable (");
    assert_contains(&alert, "so the cooldown cannot be checked");
}

#[tokio::test]
async fn alert_lists_later_events() {
    let (failed_over, started, completed_back) = (minutes_ago(10), minutes_ago(5), minutes_ago(4));
    let mut fake = Fake::failed_over_cluster();
    fake.writer = "billing-a".to_owned();
    fake.events = vec![
        (
            failed_over,
            "Completed failover to DB instance: billing-b".to_owned(),
        ),
        (
            started,
            "Started cross AZ failover to DB instance: billing-a".to_owned(),
        ),
        (
            completed_back,
            "Completed failover to DB instance: billing-a".to_owned(),
        ),
    ];
    let harness = Harness::new(fake, live());

    let (action, alert) = harness.deliver(completed("billing-b", failed_over)).await;

    assert_eq!(action, "alerted");
    let expected = format!(
        "Since the event: 2 later events\n  {} UTC Started cross AZ failover to DB instance: billing-a\n  {} UTC Completed failover to DB instance: billing-a\n",
        started.format("%Y-%m-%d %H:%M:%S"),
        completed_back.format("%Y-%m-%d %H:%M:%S"),
    );
    assert_contains(&alert, &expected);
    assert_contains(
        &alert,
        "Action: none; the preferred writer billing-a is the writer already",
    );
}

#[tokio::test]
async fn instance_fails_back_with_reboot() {
    let harness = Harness::new(
        Fake::failed_over_instance(),
        FailbackConfig {
            allow_instance_failback: true,
            ..live()
        },
    );
    let event = EventSpec::instance(
        "orders",
        49,
        "Multi-AZ instance failover completed",
        minutes_ago(1),
    );

    let (first, first_alert) = harness.deliver(event.clone()).await;
    let (second, second_alert) = harness.deliver(event).await;

    assert_eq!(harness.reboot.num_calls(), 1);
    assert_eq!(harness.fake().instances[0].zone, "us-east-1a");
    assert_eq!(first, "failback-started");
    assert_contains(
        &first_alert,
        "Preferred Availability Zone: us-east-1a (from tag failover-reactor:preferred-az)",
    );
    assert_contains(
        &first_alert,
        "Action: fail back requested: RebootDBInstance with ForceFailover to move the primary of orders from us-east-1b to us-east-1a",
    );
    assert_eq!(second, "alerted");
    assert_contains(
        &second_alert,
        "Action: none; the primary is in the preferred Availability Zone us-east-1a already",
    );
}

#[tokio::test]
async fn instance_fail_back_is_off_by_default() {
    let harness = Harness::new(Fake::failed_over_instance(), live());

    let (action, alert) = harness
        .deliver(EventSpec::instance(
            "orders",
            15,
            "Multi-AZ failover to standby complete - DNS propagation may take a few minutes.",
            minutes_ago(1),
        ))
        .await;

    assert_eq!(action, "failback-held");
    assert_eq!(harness.reboot.num_calls(), 0);
    assert_eq!(harness.fake().instances[0].zone, "us-east-1b");
    assert_contains(&alert, "Held by: ALLOW_INSTANCE_FAILBACK is false");
}
