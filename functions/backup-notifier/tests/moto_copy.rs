//! Disaster-recovery copies against moto's server: snapshots in us-east-1 are copied to
//! us-west-2 with a client of that Region, and the tests read both Regions back.
//!
//! moto 5.2 cannot copy an automated snapshot by ARN. It takes the text after the ARN's last
//! colon as the identifier, so `...:snapshot:rds:orders-db-...` loses its `rds:`. Those
//! copies, and quota errors, are tested with the SDK's mock client in `mocked.rs`.
//!
//! Run under `scripts/with-moto` (`make test`).

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use backup_notifier::{
    BackupNotifier, COPIED_BY_KEY, COPIED_BY_VALUE, CopySettings, DatabasePatterns, SOURCE_ARN_KEY,
    Tag,
};
use chrono::{DateTime, TimeDelta, Utc};
use common::{
    DESTINATION, SnsEvent, assert_contains, assert_line, config, copy_settings, create_cluster,
    create_instance, create_snapshot, destination_key, destination_rds, one_notification, tag,
};
use rds_functions::notify::Format;
use rds_functions::records::{Summary, process};
use rds_functions::testing::{ReceivedNotification, TopicWithQueue, sdk_config, unique_name};

mod common;

struct Fixture {
    config: SdkConfig,
    topic: TopicWithQueue,
    source: aws_sdk_rds::Client,
    destination: aws_sdk_rds::Client,
}

async fn fixture() -> Fixture {
    let config = sdk_config().await;
    let topic = TopicWithQueue::create(&config, "backup-copies").await;
    Fixture {
        source: aws_sdk_rds::Client::new(&config),
        destination: destination_rds(&config),
        config,
        topic,
    }
}

impl Fixture {
    fn handler(&self, settings: CopySettings) -> BackupNotifier {
        BackupNotifier::new(
            &self.config,
            config(&self.topic.topic_arn, Format::Text, Some(settings)),
        )
    }

    /// Creates an instance whose name starts with `orders-db`, and its manual snapshot
    /// `<instance>-before-upgrade`. Returns the instance, the snapshot and the snapshot's ARN.
    async fn instance_with_snapshot(&self, encrypted: bool) -> (String, String, String) {
        let instance = create_instance(&self.source, "orders-db", encrypted, &[]).await;
        let snapshot = format!("{instance}-before-upgrade");
        let arn = create_snapshot(&self.source, &instance, &snapshot, &[]).await;
        (instance, snapshot, arn)
    }

    /// Sends the "manual snapshot created" event of a snapshot and returns the record's
    /// summary and notification.
    async fn snapshot_created(
        &self,
        handler: &BackupNotifier,
        snapshot: &str,
        message_id: &str,
    ) -> (Summary, ReceivedNotification) {
        let payload = SnsEvent {
            message_id,
            source_type: "db-snapshot",
            source_id: snapshot,
            event: 42,
            message: "Manual snapshot created",
        }
        .payload();
        let summary = process(&payload, handler).await.expect("handled");
        (summary, one_notification(&self.topic).await)
    }

    /// Returns the identifiers of the manual snapshots of an instance in the destination.
    async fn copies_of(&self, instance: &str) -> Vec<String> {
        let mut identifiers: Vec<String> = self
            .destination
            .describe_db_snapshots()
            .db_instance_identifier(instance)
            .snapshot_type("manual")
            .send()
            .await
            .expect("describe copies")
            .db_snapshots()
            .iter()
            .filter_map(|snapshot| snapshot.db_snapshot_identifier().map(str::to_owned))
            .collect();
        identifiers.sort();
        identifiers
    }

    /// Returns a resource's tags in the destination, read with ListTagsForResource.
    async fn destination_tags(&self, arn: &str) -> BTreeMap<String, String> {
        self.destination
            .list_tags_for_resource()
            .resource_name(arn)
            .send()
            .await
            .expect("list tags")
            .tag_list()
            .iter()
            .filter_map(|tag| Some((tag.key()?.to_owned(), tag.value()?.to_owned())))
            .collect()
    }
}

fn destination_arn(resource: &str, identifier: &str) -> String {
    format!("arn:aws:rds:{DESTINATION}:123456789012:{resource}:{identifier}")
}

fn ten_days_ahead() -> DateTime<Utc> {
    Utc::now() + TimeDelta::days(10)
}

#[tokio::test]
async fn copy_made_once_under_repeated_deliveries() {
    let fixture = fixture().await;
    let key = destination_key(&fixture.config).await;
    let handler = fixture.handler(copy_settings(Some(&key)));
    let instance = create_instance(&fixture.source, "orders-db", true, &[]).await;
    let snapshot = format!("{instance}-before-upgrade");
    let source_arn = create_snapshot(
        &fixture.source,
        &instance,
        &snapshot,
        &[
            ("team", "orders"),
            ("cost-center", "42"),
            ("aws:backup:source-resource", "orders"),
        ],
    )
    .await;

    let (first, notification) = fixture
        .snapshot_created(&handler, &snapshot, "copy-once-1")
        .await;

    assert_eq!(first.records[0].status, "handled");
    assert_eq!(first.records[0].detail, "copied");
    assert_eq!(
        notification.subject,
        format!("[INFO] RDS {snapshot}: Manual snapshot created")
    );
    assert_line(
        &notification,
        &format!("Copy to {DESTINATION}: started as {snapshot}"),
    );
    assert_line(
        &notification,
        "Copy tags: 4; left out: aws:backup:source-resource",
    );
    let copy_arn = destination_arn("snapshot", &snapshot);
    let tags = fixture.destination_tags(&copy_arn).await;
    let expected: BTreeMap<String, String> = [
        ("team", "orders"),
        ("cost-center", "42"),
        (COPIED_BY_KEY, COPIED_BY_VALUE),
        (SOURCE_ARN_KEY, source_arn.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(tags, expected);
    assert!(!tags.keys().any(|key| key.starts_with("aws:")));
    let copy = fixture
        .destination
        .describe_db_snapshots()
        .db_snapshot_identifier(&snapshot)
        .send()
        .await
        .expect("describe copy");
    let copy = copy.db_snapshots().first().expect("copy exists");
    assert_eq!(copy.encrypted(), Some(true));
    assert_eq!(copy.kms_key_id(), Some(key.as_str()));

    // SNS redelivers the same message, then RDS sends the event again under a new ID.
    for message_id in ["copy-once-1", "copy-once-2"] {
        let (again, notification) = fixture
            .snapshot_created(&handler, &snapshot, message_id)
            .await;
        assert_eq!(again.records[0].detail, "already-copied", "{message_id}");
        assert_line(
            &notification,
            &format!("Copy to {DESTINATION}: already copied as {snapshot}; nothing to do"),
        );
    }
    assert_eq!(fixture.copies_of(&instance).await, [snapshot]);
}

#[tokio::test]
async fn copy_finished_event_copies_nothing() {
    let fixture = fixture().await;
    let handler = fixture.handler(copy_settings(None));
    let (instance, snapshot, _) = fixture.instance_with_snapshot(false).await;
    let payload = SnsEvent {
        message_id: &unique_name("message"),
        source_type: "db-snapshot",
        source_id: &snapshot,
        event: 197,
        message: "Finished copy of snapshot orders in region us-east-1.",
    }
    .payload();

    let summary = process(&payload, &handler).await.expect("handled");
    let notification = one_notification(&fixture.topic).await;

    assert_eq!(summary.records[0].detail, "notified");
    assert!(!notification.message.contains("Copy to"));
    assert!(fixture.copies_of(&instance).await.is_empty());
}

#[tokio::test]
async fn encrypted_without_key_is_configuration_error() {
    let fixture = fixture().await;
    let handler = fixture.handler(copy_settings(None));
    let (instance, snapshot, _) = fixture.instance_with_snapshot(true).await;

    let (summary, notification) = fixture
        .snapshot_created(&handler, &snapshot, &unique_name("message"))
        .await;

    // A retry cannot fix the configuration, so the record is not failed.
    assert_eq!(summary.records[0].status, "handled");
    assert_eq!(summary.records[0].detail, "copy-configuration-error");
    assert_eq!(
        notification.subject,
        format!("[CRITICAL] RDS {snapshot}: not copied to {DESTINATION}: configuration error")
    );
    assert_eq!(notification.attributes["Severity"], "critical");
    assert_line(
        &notification,
        &format!(
            "Copy to {DESTINATION}: not copied, configuration error: snapshot {snapshot} is encrypted and COPY_KMS_KEY_ID is unset; set it to a KMS key in {DESTINATION}"
        ),
    );
    assert!(fixture.copies_of(&instance).await.is_empty());
}

#[tokio::test]
async fn unknown_key_is_configuration_error() {
    let fixture = fixture().await;
    let key =
        format!("arn:aws:kms:{DESTINATION}:123456789012:key/00000000-0000-4000-8000-000000000000");
    let handler = fixture.handler(copy_settings(Some(&key)));
    let (instance, snapshot, _) = fixture.instance_with_snapshot(true).await;

    let (summary, notification) = fixture
        .snapshot_created(&handler, &snapshot, &unique_name("message"))
        .await;

    assert_eq!(summary.records[0].detail, "copy-configuration-error");
    assert_contains(
        &notification,
        &format!("RDS cannot use COPY_KMS_KEY_ID {key} in {DESTINATION} (KMSKeyNotAccessibleFault"),
    );
    assert!(fixture.copies_of(&instance).await.is_empty());
}

#[tokio::test]
async fn unencrypted_snapshot_copied_without_key() {
    let fixture = fixture().await;
    let handler = fixture.handler(copy_settings(None));
    let (_, snapshot, _) = fixture.instance_with_snapshot(false).await;

    let (summary, _) = fixture
        .snapshot_created(&handler, &snapshot, &unique_name("message"))
        .await;

    assert_eq!(summary.records[0].detail, "copied");
    let copy = fixture
        .destination
        .describe_db_snapshots()
        .db_snapshot_identifier(&snapshot)
        .send()
        .await
        .expect("describe copy");
    assert_eq!(
        copy.db_snapshots().first().and_then(|c| c.encrypted()),
        Some(false)
    );
}

#[tokio::test]
async fn cluster_snapshot_copied_once() {
    let fixture = fixture().await;
    let key = destination_key(&fixture.config).await;
    let handler = fixture.handler(copy_settings(Some(&key)));
    let cluster = create_cluster(&fixture.source, "billing-aurora").await;
    let snapshot = format!("{cluster}-before-upgrade");
    let source_arn = fixture
        .source
        .create_db_cluster_snapshot()
        .db_cluster_identifier(&cluster)
        .db_cluster_snapshot_identifier(&snapshot)
        .tags(tag("team", "billing"))
        .tags(tag("aws:cloudformation:stack-name", "billing"))
        .send()
        .await
        .expect("create cluster snapshot")
        .db_cluster_snapshot
        .and_then(|snapshot| snapshot.db_cluster_snapshot_arn)
        .expect("cluster snapshot ARN");
    let payload = |message_id: &str| {
        SnsEvent {
            message_id,
            source_type: "db-cluster-snapshot",
            source_id: &snapshot,
            event: 75,
            message: "Manual cluster snapshot created",
        }
        .payload()
    };

    let first = process(&payload("cluster-copy-1"), &handler)
        .await
        .expect("handled");
    let notification = one_notification(&fixture.topic).await;

    assert_eq!(first.records[0].detail, "copied");
    assert_line(
        &notification,
        &format!("Copy to {DESTINATION}: started as {snapshot}"),
    );
    assert_line(&notification, &format!("Snapshot: {snapshot} (manual)"));
    let tags = fixture
        .destination_tags(&destination_arn("cluster-snapshot", &snapshot))
        .await;
    assert_eq!(tags.get("team").map(String::as_str), Some("billing"));
    assert_eq!(
        tags.get(COPIED_BY_KEY).map(String::as_str),
        Some(COPIED_BY_VALUE)
    );
    assert_eq!(
        tags.get(SOURCE_ARN_KEY).map(String::as_str),
        Some(source_arn.as_str())
    );
    assert_eq!(tags.len(), 3, "{tags:?}");

    let again = process(&payload("cluster-copy-2"), &handler)
        .await
        .expect("handled");
    one_notification(&fixture.topic).await;

    assert_eq!(again.records[0].detail, "already-copied");
    let copies = fixture
        .destination
        .describe_db_cluster_snapshots()
        .db_cluster_identifier(&cluster)
        .send()
        .await
        .expect("describe copies");
    assert_eq!(copies.db_cluster_snapshots().len(), 1);
}

#[tokio::test]
async fn retention_deletes_only_own_old_copies() {
    let fixture = fixture().await;
    let instance = create_instance(&fixture.source, "orders-db", false, &[]).await;
    let mut source_arns = Vec::new();
    for day in 1..=4 {
        let snapshot = format!("{instance}-day-{day}");
        source_arns.push(create_snapshot(&fixture.source, &instance, &snapshot, &[]).await);
    }
    // A copy this function made earlier, and one made by hand without the tags.
    let own_old_copy = format!("{instance}-day-1");
    fixture
        .destination
        .copy_db_snapshot()
        .source_db_snapshot_identifier(&source_arns[0])
        .target_db_snapshot_identifier(&own_old_copy)
        .tags(tag(COPIED_BY_KEY, COPIED_BY_VALUE))
        .tags(tag(SOURCE_ARN_KEY, &source_arns[0]))
        .send()
        .await
        .expect("copy with the function's tags");
    let hand_copy = format!("{instance}-kept-by-hand");
    fixture
        .destination
        .copy_db_snapshot()
        .source_db_snapshot_identifier(&source_arns[1])
        .target_db_snapshot_identifier(&hand_copy)
        .send()
        .await
        .expect("copy without tags");
    // A copy that names its source the same way but that another tool made.
    let other_tool_copy = format!("{instance}-other-tool");
    fixture
        .destination
        .copy_db_snapshot()
        .source_db_snapshot_identifier(&source_arns[1])
        .target_db_snapshot_identifier(&other_tool_copy)
        .tags(tag(COPIED_BY_KEY, "another-tool"))
        .tags(tag(SOURCE_ARN_KEY, &source_arns[1]))
        .send()
        .await
        .expect("copy with another tool's tags");

    // Ten days on, a 30-day retention keeps everything.
    let keep_month = fixture
        .handler(CopySettings {
            retention_days: Some(30),
            ..copy_settings(None)
        })
        .with_clock(ten_days_ahead);
    let (_, notification) = fixture
        .snapshot_created(&keep_month, &format!("{instance}-day-3"), "retention-1")
        .await;
    assert_line(
        &notification,
        &format!("Retention: no copy in {DESTINATION} older than 30 days"),
    );

    // A 7-day retention deletes the function's two older copies, and only those.
    let keep_week = fixture
        .handler(CopySettings {
            retention_days: Some(7),
            ..copy_settings(None)
        })
        .with_clock(ten_days_ahead);
    let (summary, notification) = fixture
        .snapshot_created(&keep_week, &format!("{instance}-day-4"), "retention-2")
        .await;

    assert_eq!(summary.records[0].detail, "copied");
    assert_contains(
        &notification,
        &format!("Retention: deleted 2 copies in {DESTINATION} older than 7 days: "),
    );
    assert_contains(&notification, &own_old_copy);
    assert_contains(&notification, &format!("{instance}-day-3"));
    assert_eq!(
        fixture.copies_of(&instance).await,
        [format!("{instance}-day-4"), hand_copy, other_tool_copy]
    );
}

#[tokio::test]
async fn include_and_exclude_patterns_choose_databases() {
    let fixture = fixture().await;
    let settings = CopySettings {
        include: Some(DatabasePatterns::parse("INCLUDE_DATABASES", "orders-db-*").expect("valid")),
        exclude: Some(DatabasePatterns::parse("EXCLUDE_DATABASES", "*scratch*").expect("valid")),
        ..copy_settings(None)
    };
    let handler = fixture.handler(settings);
    let included = create_instance(&fixture.source, "orders-db", false, &[]).await;
    let excluded = create_instance(&fixture.source, "orders-db-scratch", false, &[]).await;
    let not_included = create_instance(&fixture.source, "billing-db", false, &[]).await;

    let mut results = Vec::new();
    for instance in [&included, &excluded, &not_included] {
        let snapshot = format!("{instance}-nightly");
        create_snapshot(&fixture.source, instance, &snapshot, &[]).await;
        let (summary, notification) = fixture
            .snapshot_created(&handler, &snapshot, &unique_name("message"))
            .await;
        results.push((summary.records[0].detail.clone(), notification));
    }

    assert_eq!(results[0].0, "copied");
    assert_eq!(results[1].0, "copy-skipped");
    assert_line(
        &results[1].1,
        &format!(
            "Copy to {DESTINATION}: not copied: database {excluded} matches EXCLUDE_DATABASES pattern *scratch*"
        ),
    );
    assert_eq!(results[2].0, "copy-skipped");
    assert_line(
        &results[2].1,
        &format!(
            "Copy to {DESTINATION}: not copied: database {not_included} matches no INCLUDE_DATABASES pattern (orders-db-*)"
        ),
    );
    assert_eq!(fixture.copies_of(&included).await.len(), 1);
    assert!(fixture.copies_of(&excluded).await.is_empty());
    assert!(fixture.copies_of(&not_included).await.is_empty());
}

#[tokio::test]
async fn exclude_tag_on_database_or_snapshot() {
    let fixture = fixture().await;
    let handler = fixture.handler(CopySettings {
        exclude_tag: Some(Tag {
            key: "dr-copy".into(),
            value: "off".into(),
        }),
        ..copy_settings(None)
    });
    let tagged_database =
        create_instance(&fixture.source, "orders-db", false, &[("dr-copy", "off")]).await;
    let plain_database =
        create_instance(&fixture.source, "orders-db", false, &[("dr-copy", "on")]).await;
    let from_tagged_database = format!("{tagged_database}-nightly");
    create_snapshot(
        &fixture.source,
        &tagged_database,
        &from_tagged_database,
        &[],
    )
    .await;
    let tagged_snapshot = format!("{plain_database}-tagged");
    create_snapshot(
        &fixture.source,
        &plain_database,
        &tagged_snapshot,
        &[("dr-copy", "off")],
    )
    .await;
    let plain_snapshot = format!("{plain_database}-nightly");
    create_snapshot(&fixture.source, &plain_database, &plain_snapshot, &[]).await;

    let (summary, notification) = fixture
        .snapshot_created(&handler, &from_tagged_database, &unique_name("message"))
        .await;
    assert_eq!(summary.records[0].detail, "copy-skipped");
    assert_line(
        &notification,
        &format!(
            "Copy to {DESTINATION}: not copied: database {tagged_database} has tag dr-copy=off (EXCLUDE_TAG)"
        ),
    );

    let (summary, notification) = fixture
        .snapshot_created(&handler, &tagged_snapshot, &unique_name("message"))
        .await;
    assert_eq!(summary.records[0].detail, "copy-skipped");
    assert_line(
        &notification,
        &format!(
            "Copy to {DESTINATION}: not copied: snapshot {tagged_snapshot} has tag dr-copy=off (EXCLUDE_TAG)"
        ),
    );

    let (summary, _) = fixture
        .snapshot_created(&handler, &plain_snapshot, &unique_name("message"))
        .await;
    assert_eq!(summary.records[0].detail, "copied");
    assert!(fixture.copies_of(&tagged_database).await.is_empty());
    assert_eq!(fixture.copies_of(&plain_database).await, [plain_snapshot]);
}

#[tokio::test]
async fn copy_of_copy_is_skipped() {
    let fixture = fixture().await;
    let handler = fixture.handler(copy_settings(None));
    let instance = create_instance(&fixture.source, "orders-db", false, &[]).await;
    let snapshot = format!("{instance}-copied-here");
    create_snapshot(
        &fixture.source,
        &instance,
        &snapshot,
        &[(COPIED_BY_KEY, COPIED_BY_VALUE)],
    )
    .await;

    let (summary, notification) = fixture
        .snapshot_created(&handler, &snapshot, &unique_name("message"))
        .await;

    assert_eq!(summary.records[0].detail, "copy-skipped");
    assert_line(
        &notification,
        &format!("Copy to {DESTINATION}: not copied: {snapshot} is a copy made by backup-notifier"),
    );
    assert!(fixture.copies_of(&instance).await.is_empty());
}

#[tokio::test]
async fn name_taken_by_other_snapshot_is_configuration_error() {
    let fixture = fixture().await;
    let handler = fixture.handler(copy_settings(None));
    let (_, snapshot, source_arn) = fixture.instance_with_snapshot(false).await;
    // Someone copied it by hand under the name this function would use.
    fixture
        .destination
        .copy_db_snapshot()
        .source_db_snapshot_identifier(&source_arn)
        .target_db_snapshot_identifier(&snapshot)
        .send()
        .await
        .expect("copy by hand");

    let (summary, notification) = fixture
        .snapshot_created(&handler, &snapshot, &unique_name("message"))
        .await;

    assert_eq!(summary.records[0].detail, "copy-configuration-error");
    assert_contains(
        &notification,
        &format!(
            "{snapshot} already exists in {DESTINATION} and is not this function's copy of {source_arn} (its {SOURCE_ARN_KEY} tag is missing)"
        ),
    );
}

#[tokio::test]
async fn concurrent_deliveries_make_one_copy() {
    let fixture = fixture().await;
    let key = destination_key(&fixture.config).await;
    let handler = fixture.handler(copy_settings(Some(&key)));
    let instance = create_instance(&fixture.source, "orders-db", true, &[]).await;
    let snapshot = format!("{instance}-concurrent");
    create_snapshot(&fixture.source, &instance, &snapshot, &[]).await;
    let payload = |message_id| {
        SnsEvent {
            message_id,
            source_type: "db-snapshot",
            source_id: &snapshot,
            event: 42,
            message: "Manual snapshot created",
        }
        .payload()
    };
    let (first, second) = (payload("concurrent-1"), payload("concurrent-2"));

    // Two Lambda instances handling two deliveries of the same event at the same moment.
    let (first, second) = tokio::join!(process(&first, &handler), process(&second, &handler));

    let mut actions = vec![
        first.expect("first delivery handled").records[0]
            .detail
            .clone(),
        second.expect("second delivery handled").records[0]
            .detail
            .clone(),
    ];
    actions.sort();
    assert_eq!(actions, ["already-copied", "copied"]);
    assert_eq!(fixture.copies_of(&instance).await, [snapshot]);
}
