//! Helpers shared by backup-notifier's integration tests: payloads, configurations and
//! resources in moto's server.

#![allow(dead_code, unreachable_pub)]

use aws_config::{Region, SdkConfig};
use backup_notifier::{Config, CopySettings};
use rds_functions::notify::Format;
use rds_functions::testing::{ReceivedNotification, TopicWithQueue, unique_name};
use serde_json::{Value, json};

/// The Region copies go to in these tests; the source Region is `AWS_REGION` (us-east-1).
pub const DESTINATION: &str = "us-west-2";

/// The account moto uses.
pub const ACCOUNT: &str = "123456789012";

/// Reads a sample event from `events/`.
pub fn sample(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Reads a sample with its resource names replaced, so that tests sharing one server do not
/// collide.
pub fn sample_for(name: &str, replacements: &[(&str, &str)]) -> Value {
    let mut text = sample(name).to_string();
    for (from, to) in replacements {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).expect("still JSON")
}

/// An RDS event as RDS publishes it to SNS.
pub struct SnsEvent<'a> {
    /// The SNS message ID.
    pub message_id: &'a str,
    /// `db-instance`, `db-snapshot`, …
    pub source_type: &'a str,
    /// The resource identifier.
    pub source_id: &'a str,
    /// The event number (2 for `RDS-EVENT-0002`).
    pub event: u32,
    /// The event message.
    pub message: &'a str,
}

impl SnsEvent<'_> {
    /// Returns the Lambda payload of one SNS record carrying the event, with the source ARN
    /// RDS would send for the resource in us-east-1.
    pub fn payload(&self) -> Value {
        let resource = match self.source_type {
            "db-instance" => "db",
            "db-cluster" => "cluster",
            "db-snapshot" => "snapshot",
            "db-cluster-snapshot" => "cluster-snapshot",
            other => other,
        };
        let rds_message = json!({
            "Event Source": self.source_type,
            "Event Time": "2026-12-04 03:14:52.117",
            "Source ID": self.source_id,
            "Source ARN": format!("arn:aws:rds:us-east-1:{ACCOUNT}:{resource}:{}", self.source_id),
            "Event ID": format!(
                "http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#RDS-EVENT-{:04}",
                self.event
            ),
            "Event Message": self.message,
        });
        json!({"Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": format!("arn:aws:sns:us-east-1:{ACCOUNT}:rds-events:21be56ed-a058-49f5-8c98-aedd2564c486"),
            "Sns": {
                "Type": "Notification",
                "MessageId": self.message_id,
                "TopicArn": format!("arn:aws:sns:us-east-1:{ACCOUNT}:rds-events"),
                "Subject": "RDS Notification Message",
                "Message": rds_message.to_string(),
                "Timestamp": "2026-12-04T03:14:53.020Z",
                "SignatureVersion": "1",
                "Signature": "EXAMPLE",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
                "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                "MessageAttributes": {},
            }
        }]})
    }
}

/// Returns a configuration that notifies `topic_arn` in `format`, with copies as given.
pub fn config(topic_arn: &str, format: Format, copy: Option<CopySettings>) -> Config {
    Config {
        notification_topic_arn: topic_arn.to_owned(),
        format,
        copy,
    }
}

/// Returns copy settings to [`DESTINATION`] with a key and nothing else.
pub fn copy_settings(kms_key_id: Option<&str>) -> CopySettings {
    CopySettings {
        region: DESTINATION.to_owned(),
        kms_key_id: kms_key_id.map(str::to_owned),
        retention_days: None,
        include: None,
        exclude: None,
        exclude_tag: None,
    }
}

/// Returns an RDS client of [`DESTINATION`].
pub fn destination_rds(config: &SdkConfig) -> aws_sdk_rds::Client {
    aws_sdk_rds::Client::from_conf(
        aws_sdk_rds::config::Builder::from(config)
            .region(Region::new(DESTINATION))
            .build(),
    )
}

/// Creates a KMS key in [`DESTINATION`] and returns its ARN.
pub async fn destination_key(config: &SdkConfig) -> String {
    let kms = aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::config::Builder::from(config)
            .region(Region::new(DESTINATION))
            .build(),
    );
    kms.create_key()
        .description("rds-event-lambdas disaster-recovery copies")
        .send()
        .await
        .expect("create key")
        .key_metadata
        .expect("key metadata")
        .arn
        .expect("key ARN")
}

/// Returns an `aws_sdk_rds` tag.
pub fn tag(key: &str, value: &str) -> aws_sdk_rds::types::Tag {
    aws_sdk_rds::types::Tag::builder()
        .key(key)
        .value(value)
        .build()
}

/// Creates a PostgreSQL instance with backups kept 7 days, and returns its identifier.
pub async fn create_instance(
    rds: &aws_sdk_rds::Client,
    prefix: &str,
    encrypted: bool,
    tags: &[(&str, &str)],
) -> String {
    let instance = unique_name(prefix);
    let mut request = rds
        .create_db_instance()
        .db_instance_identifier(&instance)
        .db_instance_class("db.m6g.large")
        .engine("postgres")
        .engine_version("16.3")
        .allocated_storage(50)
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .multi_az(true)
        .storage_encrypted(encrypted)
        .backup_retention_period(7);
    for (key, value) in tags {
        request = request.tags(tag(key, value));
    }
    request.send().await.expect("create instance");
    instance
}

/// Creates a manual snapshot of an instance and returns its ARN.
pub async fn create_snapshot(
    rds: &aws_sdk_rds::Client,
    instance: &str,
    snapshot: &str,
    tags: &[(&str, &str)],
) -> String {
    let mut request = rds
        .create_db_snapshot()
        .db_instance_identifier(instance)
        .db_snapshot_identifier(snapshot);
    for (key, value) in tags {
        request = request.tags(tag(key, value));
    }
    request
        .send()
        .await
        .expect("create snapshot")
        .db_snapshot
        .and_then(|snapshot| snapshot.db_snapshot_arn)
        .expect("snapshot ARN")
}

/// Creates an encrypted Aurora PostgreSQL cluster and returns its identifier.
pub async fn create_cluster(rds: &aws_sdk_rds::Client, prefix: &str) -> String {
    let cluster = unique_name(prefix);
    rds.create_db_cluster()
        .db_cluster_identifier(&cluster)
        .engine("aurora-postgresql")
        .engine_version("16.4")
        .master_username("admin")
        .master_user_password("not-a-secret-1")
        .storage_encrypted(true)
        .backup_retention_period(14)
        .tags(tag("team", "billing"))
        .send()
        .await
        .expect("create cluster");
    cluster
}

/// Receives exactly one notification, or panics.
pub async fn one_notification(topic: &TopicWithQueue) -> ReceivedNotification {
    let mut received = topic.receive(1, std::time::Duration::from_secs(5)).await;
    assert_eq!(received.len(), 1, "expected one notification");
    received.remove(0)
}

/// Asserts that a notification body contains a line, showing the body when it does not.
#[track_caller]
pub fn assert_line(notification: &ReceivedNotification, line: &str) {
    assert!(
        notification.message.lines().any(|l| l == line),
        "no line {line:?} in:\n{}",
        notification.message
    );
}

/// Asserts that a notification body contains a text, showing the body when it does not.
#[track_caller]
pub fn assert_contains(notification: &ReceivedNotification, text: &str) {
    assert!(
        notification.message.contains(text),
        "no {text:?} in:\n{}",
        notification.message
    );
}
