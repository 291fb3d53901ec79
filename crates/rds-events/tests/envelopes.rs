//! Parsing of the sample payloads in `events/` and of the envelope cases they miss.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rds_events::error::EnvelopeKind;
use rds_events::route::{BACKUP_NOTIFIER, FAILOVER_REACTOR, ROUTES};
use rds_events::{
    Category, Delivery, EventId, Notification, ParseError, Problem, RdsEvent, SourceType,
    parse_payload,
};
use serde_json::{Map, Value, json};

const DOCS_URL: &str =
    "http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html";
const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:123456789012:rds-events";
const MESSAGE_ID: &str = "6a1f0c2e-4b3d-5e7f-9a8b-1c2d3e4f5a6b";

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

fn load(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()))
}

fn load_sample(name: &str) -> Value {
    load(events_dir().join(name))
}

fn load_fixture(name: &str) -> Value {
    load(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse()
        .unwrap_or_else(|err| panic!("{text} is not RFC 3339: {err}"))
}

/// Parses a payload that must hold exactly one record.
fn parse_one(payload: &Value) -> Result<Notification, ParseError> {
    let mut records = parse_payload(payload).expect("payload is an SNS or EventBridge event");
    assert_eq!(records.len(), 1, "records in the payload");
    records.remove(0)
}

/// Parses a payload whose one record must be an RDS event.
fn parse_event(payload: &Value) -> RdsEvent {
    match parse_one(payload) {
        Ok(Notification::Event(event)) => *event,
        Ok(other) => panic!("expected an event, got {other:?}"),
        Err(err) => panic!("expected an event, got the error: {err}"),
    }
}

/// Parses a payload whose one record must fail.
fn parse_error(payload: &Value) -> ParseError {
    match parse_one(payload) {
        Ok(notification) => panic!("expected an error, got {notification:?}"),
        Err(err) => err,
    }
}

/// Builds the RDS message of a backup of `orders-db`, as RDS writes it in the SNS `Message`.
fn rds_message() -> Map<String, Value> {
    let message = json!({
        "Event Source": "db-instance",
        "Event Time": "2026-12-04 03:14:52.117",
        "Identifier Link": "https://console.aws.amazon.com/rds/home?region=us-east-1#dbinstance:id=orders-db",
        "Source ID": "orders-db",
        "Source ARN": "arn:aws:rds:us-east-1:123456789012:db:orders-db",
        "Event ID": format!("{DOCS_URL}#RDS-EVENT-0002"),
        "Event Message": "Finished DB Instance backup",
        "Tags": { "team": "orders" },
    });
    match message {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object literal is an object"),
    }
}

/// Builds an SNS record as Lambda delivers it, with `Message` as given.
fn sns_record(message_id: &str, message: &str) -> Value {
    json!({
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": format!("{TOPIC_ARN}:21be56ed-a058-49f5-8c98-aedd2564c486"),
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": TOPIC_ARN,
            "Subject": "RDS Notification Message",
            "Message": message,
            "Timestamp": "2026-12-04T03:14:53.020Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0.pem",
            "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
            "MessageAttributes": {},
        }
    })
}

/// Wraps the RDS message in a Lambda SNS event of one record.
fn sns_payload(message: &Map<String, Value>) -> Value {
    json!({ "Records": [sns_record(MESSAGE_ID, &Value::Object(message.clone()).to_string())] })
}

/// Builds a Lambda SNS event of one record whose RDS message has one key replaced.
fn sns_payload_with(key: &str, value: Value) -> Value {
    let mut message = rds_message();
    message.insert(key.to_owned(), value);
    sns_payload(&message)
}

/// Builds an EventBridge event from RDS: failover of the instance `orders-db`.
fn eventbridge_event() -> Value {
    json!({
        "version": "0",
        "id": "68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e",
        "detail-type": "RDS DB Instance Event",
        "source": "aws.rds",
        "account": "123456789012",
        "time": "2026-12-04T11:02:45Z",
        "region": "us-east-1",
        "resources": ["arn:aws:rds:us-east-1:123456789012:db:orders-db"],
        "detail": {
            "EventCategories": ["failover"],
            "SourceType": "DB_INSTANCE",
            "SourceArn": "arn:aws:rds:us-east-1:123456789012:db:orders-db",
            "Date": "2026-12-04T11:02:45.009Z",
            "Message": "A Multi-AZ failover has completed.",
            "SourceIdentifier": "orders-db",
            "EventID": "RDS-EVENT-0049",
        }
    })
}

fn route_names(event: &RdsEvent) -> Vec<&'static str> {
    ROUTES
        .iter()
        .filter(|route| route.matches_event(event))
        .map(|route| route.name)
        .collect()
}

fn tags(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), json!(value)))
        .collect()
}

// The samples in events/, one test each.

#[test]
fn samples_all_have_tests() {
    let names: BTreeSet<String> = std::fs::read_dir(events_dir())
        .expect("events/ is readable")
        .map(|entry| entry.expect("directory entry").file_name())
        .filter_map(|name| name.to_str().map(str::to_owned))
        .filter(|name| name.ends_with(".json"))
        .collect();
    let tested: BTreeSet<String> = [
        "eventbridge-cluster-snapshot.json",
        "eventbridge-instance-failover.json",
        "sns-backup-finished.json",
        "sns-cluster-failover.json",
        "sns-cluster-snapshot-created.json",
        "sns-docs-example.json",
        "sns-instance-failover.json",
        "sns-malformed.json",
        "sns-outside-routes.json",
        "sns-snapshot-created.json",
        "sns-subscription-notice.json",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(names, tested, "a sample in events/ has no test here");
}

#[test]
fn sns_docs_example_fields() {
    let event = parse_event(&load_sample("sns-docs-example.json"));
    assert_eq!(event.source_type, SourceType::DbInstance);
    assert_eq!(event.event_id, EventId::new(2));
    assert_eq!(event.time, utc("2019-01-02T12:45:06Z"));
    assert_eq!(event.source_id, "dbinstanceid");
    assert_eq!(event.source_arn, None);
    assert_eq!(
        event.identifier_link.as_deref(),
        Some("https://console.aws.amazon.com/rds/home?region=eu-west-1#dbinstance:id=dbinstanceid")
    );
    assert_eq!(event.message, "Finished DB Instance backup");
    assert_eq!(event.tags, Map::new());
    assert_eq!(event.extra, Map::new());
    assert_eq!(event.delivered_categories, Vec::<Category>::new());
    assert_eq!(
        event.delivery,
        Delivery::Sns {
            message_id: "95df01b4-ee98-5cb9-9903-4c221d41eb5e".to_owned(),
            topic_arn: "arn:aws:sns:us-east-2:123456789012:sns-lambda".to_owned(),
            timestamp: utc("2019-01-02T12:45:07Z"),
        }
    );
    assert_eq!(event.categories(), vec![Category::Backup]);
    assert_eq!(route_names(&event), vec!["backup-notifier"]);
}

/// The fields expected of an SNS sample from topic `rds-events` in us-east-1.
struct SnsSample {
    file: &'static str,
    source_type: SourceType,
    event_id: u32,
    time: &'static str,
    source_id: &'static str,
    source_arn: &'static str,
    identifier_link: &'static str,
    message: &'static str,
    tags: &'static [(&'static str, &'static str)],
    message_id: &'static str,
    timestamp: &'static str,
    categories: &'static [Category],
    routes: &'static [&'static str],
}

fn check_sns_sample(expected: &SnsSample) {
    let event = parse_event(&load_sample(expected.file));
    assert_eq!(event.source_type, expected.source_type);
    assert_eq!(event.event_id, EventId::new(expected.event_id));
    assert_eq!(event.time, utc(expected.time));
    assert_eq!(event.source_id, expected.source_id);
    assert_eq!(event.source_arn.as_deref(), Some(expected.source_arn));
    assert_eq!(
        event.identifier_link.as_deref(),
        Some(expected.identifier_link)
    );
    assert_eq!(event.message, expected.message);
    assert_eq!(event.tags, tags(expected.tags));
    assert_eq!(event.extra, Map::new());
    assert_eq!(event.delivered_categories, Vec::<Category>::new());
    assert_eq!(
        event.delivery,
        Delivery::Sns {
            message_id: expected.message_id.to_owned(),
            topic_arn: TOPIC_ARN.to_owned(),
            timestamp: utc(expected.timestamp),
        }
    );
    assert_eq!(event.categories(), expected.categories);
    assert_eq!(route_names(&event), expected.routes);
}

#[test]
fn sns_backup_finished_fields() {
    check_sns_sample(&SnsSample {
        file: "sns-backup-finished.json",
        source_type: SourceType::DbInstance,
        event_id: 2,
        time: "2026-12-04T03:14:52.117Z",
        source_id: "orders-db",
        source_arn: "arn:aws:rds:us-east-1:123456789012:db:orders-db",
        identifier_link: "https://console.aws.amazon.com/rds/home?region=us-east-1#dbinstance:id=orders-db",
        message: "Finished DB Instance backup",
        tags: &[("team", "orders")],
        message_id: "3f1c6a52-9b1e-5d0a-8c3e-0a6f2b1d4c01",
        timestamp: "2026-12-04T03:14:53.020Z",
        categories: &[Category::Backup],
        routes: &["backup-notifier"],
    });
}

#[test]
fn sns_snapshot_created_fields() {
    check_sns_sample(&SnsSample {
        file: "sns-snapshot-created.json",
        source_type: SourceType::DbSnapshot,
        event_id: 42,
        time: "2026-12-04T09:30:11.402Z",
        source_id: "orders-db-before-upgrade",
        source_arn: "arn:aws:rds:us-east-1:123456789012:snapshot:orders-db-before-upgrade",
        identifier_link: "https://console.aws.amazon.com/rds/home?region=us-east-1#snapshot:id=orders-db-before-upgrade",
        message: "Manual snapshot created",
        tags: &[("team", "orders")],
        message_id: "7a2d9e14-0c5b-5f3a-9d2e-1b7c3e5f6a02",
        timestamp: "2026-12-04T09:30:12.118Z",
        categories: &[Category::Creation],
        routes: &["backup-notifier"],
    });
}

#[test]
fn sns_cluster_snapshot_created_fields() {
    check_sns_sample(&SnsSample {
        file: "sns-cluster-snapshot-created.json",
        source_type: SourceType::DbClusterSnapshot,
        event_id: 75,
        time: "2026-12-04T03:41:07.876Z",
        source_id: "billing-aurora-before-upgrade",
        source_arn: "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:billing-aurora-before-upgrade",
        identifier_link: "https://console.aws.amazon.com/rds/home?region=us-east-1#snapshot:engine=aurora;id=billing-aurora-before-upgrade",
        message: "Manual cluster snapshot created",
        tags: &[],
        message_id: "c4e8b2a7-6d1f-5e9b-a3c4-2d8e4f6a7b03",
        timestamp: "2026-12-04T03:41:08.348Z",
        categories: &[Category::Backup],
        routes: &["backup-notifier"],
    });
}

#[test]
fn sns_instance_failover_fields() {
    check_sns_sample(&SnsSample {
        file: "sns-instance-failover.json",
        source_type: SourceType::DbInstance,
        event_id: 49,
        time: "2026-12-04T11:02:45.009Z",
        source_id: "orders-db",
        source_arn: "arn:aws:rds:us-east-1:123456789012:db:orders-db",
        identifier_link: "https://console.aws.amazon.com/rds/home?region=us-east-1#dbinstance:id=orders-db",
        message: "Multi-AZ instance failover completed",
        tags: &[("team", "orders")],
        message_id: "e9a1c3d5-2f4b-5a6c-8e9d-3f5a7b9c1d04",
        timestamp: "2026-12-04T11:02:45.871Z",
        categories: &[Category::Failover],
        routes: &["failover-reactor"],
    });
}

#[test]
fn sns_cluster_failover_fields() {
    check_sns_sample(&SnsSample {
        file: "sns-cluster-failover.json",
        source_type: SourceType::DbCluster,
        event_id: 71,
        time: "2026-12-04T11:20:03.551Z",
        source_id: "billing-aurora",
        source_arn: "arn:aws:rds:us-east-1:123456789012:cluster:billing-aurora",
        identifier_link: "https://console.aws.amazon.com/rds/home?region=us-east-1#dbcluster:id=billing-aurora",
        message: "Completed failover to DB instance: billing-aurora-2",
        tags: &[],
        message_id: "1b3d5f7a-9c2e-5b4d-a6f8-4a6b8c0d2e05",
        timestamp: "2026-12-04T11:20:04.210Z",
        categories: &[Category::Failover],
        routes: &["failover-reactor"],
    });
}

#[test]
fn sns_outside_routes_fields() {
    check_sns_sample(&SnsSample {
        file: "sns-outside-routes.json",
        source_type: SourceType::DbInstance,
        event_id: 87,
        time: "2026-12-04T19:00:00.250Z",
        source_id: "orders-db",
        source_arn: "arn:aws:rds:us-east-1:123456789012:db:orders-db",
        identifier_link: "https://console.aws.amazon.com/rds/home?region=us-east-1#dbinstance:id=orders-db",
        message: "DB instance stopped",
        tags: &[("team", "orders")],
        message_id: "5d7f9b1c-3e5a-5c7e-b9d1-5b7c9d1e3f06",
        timestamp: "2026-12-04T19:00:01.002Z",
        categories: &[Category::Notification],
        routes: &[],
    });
}

#[test]
fn sns_subscription_notice_skipped() {
    let notification = parse_one(&load_sample("sns-subscription-notice.json"))
        .expect("the notice is not an error");
    assert_eq!(
        notification,
        Notification::SubscriptionNotice {
            message_id: "0a2c4e6f-8b0d-5f2a-d4e6-7d9e1f3a5b08".to_owned(),
            text: "This is a message to notify that RDS will attempt to send you event \
                   notifications of type db-instance to the topic \
                   arn:aws:sns:us-east-1:123456789012:rds-events."
                .to_owned(),
        }
    );
}

#[test]
fn sns_malformed_names_message_id_and_field() {
    let error = parse_error(&load_sample("sns-malformed.json"));
    assert_eq!(error.envelope, EnvelopeKind::Sns);
    assert_eq!(error.id, "9f1b3d5e-7a9c-5e1f-c3d5-6c8d0e2f4a07");
    assert_eq!(error.field, "Message");
    assert!(
        matches!(error.problem, Problem::InvalidJson(_)),
        "{:?}",
        error.problem
    );
    let text = error.to_string();
    assert!(
        text.starts_with(
            "SNS message 9f1b3d5e-7a9c-5e1f-c3d5-6c8d0e2f4a07: field \"Message\": invalid JSON: "
        ),
        "{text}"
    );
}

#[test]
fn eventbridge_instance_failover_fields() {
    let event = parse_event(&load_sample("eventbridge-instance-failover.json"));
    assert_eq!(event.source_type, SourceType::DbInstance);
    assert_eq!(event.event_id, EventId::new(49));
    assert_eq!(event.time, utc("2026-12-04T11:02:45.009Z"));
    assert_eq!(event.source_id, "orders-db");
    assert_eq!(
        event.source_arn.as_deref(),
        Some("arn:aws:rds:us-east-1:123456789012:db:orders-db")
    );
    assert_eq!(event.identifier_link, None);
    assert_eq!(event.message, "A Multi-AZ failover has completed.");
    assert_eq!(event.tags, Map::new());
    assert_eq!(event.extra, Map::new());
    assert_eq!(event.delivered_categories, vec![Category::Failover]);
    assert_eq!(
        event.delivery,
        Delivery::EventBridge {
            id: "68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e".to_owned(),
            detail_type: "RDS DB Instance Event".to_owned(),
            account: Some("123456789012".to_owned()),
            region: Some("us-east-1".to_owned()),
        }
    );
    assert_eq!(event.categories(), vec![Category::Failover]);
    assert_eq!(route_names(&event), vec!["failover-reactor"]);
}

#[test]
fn eventbridge_cluster_snapshot_fields() {
    let event = parse_event(&load_sample("eventbridge-cluster-snapshot.json"));
    assert_eq!(event.source_type, SourceType::DbClusterSnapshot);
    assert_eq!(event.event_id, EventId::new(75));
    assert_eq!(event.time, utc("2026-12-04T03:41:07.876Z"));
    assert_eq!(event.source_id, "billing-aurora-before-upgrade");
    assert_eq!(
        event.source_arn.as_deref(),
        Some("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:billing-aurora-before-upgrade")
    );
    assert_eq!(event.identifier_link, None);
    assert_eq!(event.message, "Manual cluster snapshot created");
    assert_eq!(event.tags, Map::new());
    assert_eq!(event.extra, Map::new());
    assert_eq!(event.delivered_categories, vec![Category::Backup]);
    assert_eq!(
        event.delivery,
        Delivery::EventBridge {
            id: "844e2571-85d4-695f-b930-0153b71dcb42".to_owned(),
            detail_type: "RDS DB Cluster Snapshot Event".to_owned(),
            account: Some("123456789012".to_owned()),
            region: Some("us-east-1".to_owned()),
        }
    );
    assert_eq!(route_names(&event), vec!["backup-notifier"]);
}

// SNS cases the samples miss.

#[test]
fn event_id_url_any_host_or_scheme() {
    let cases = [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#RDS-EVENT-0049",
        "http://docs.amazonwebservices.com/AmazonRDS/latest/UserGuide/USER_Events.html#RDS-EVENT-0049",
        "https://docs.amazonaws.cn/en_us/AmazonRDS/latest/UserGuide/USER_Events.html#RDS-EVENT-0049",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html#RDS-EVENT-0049",
        "urn:rds#RDS-EVENT-0049",
        "#RDS-EVENT-0049",
        "RDS-EVENT-0049",
    ];
    for text in cases {
        let event = parse_event(&sns_payload_with("Event ID", json!(text)));
        assert_eq!(event.event_id, EventId::new(49), "Event ID {text}");
    }
}

#[test]
fn event_id_without_id_is_rejected() {
    let cases = [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.html#",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.html#RDS-EVENT-",
        "RDS-EVENT-12345678",
        "rds-event-0049",
        "",
    ];
    for text in cases {
        let error = parse_error(&sns_payload_with("Event ID", json!(text)));
        assert_eq!(error.field, "Event ID", "Event ID {text:?}");
        assert!(
            matches!(error.problem, Problem::EventId(_)),
            "Event ID {text:?}: {:?}",
            error.problem
        );
    }
}

#[test]
fn envelope_url_keys_either_casing() {
    let message = Value::Object(rds_message()).to_string();
    let mut upper = sns_record(MESSAGE_ID, &message);
    let sns = upper["Sns"].as_object_mut().expect("Sns is an object");
    let cert = sns.remove("SigningCertUrl").expect("SigningCertUrl");
    let unsubscribe = sns.remove("UnsubscribeUrl").expect("UnsubscribeUrl");
    sns.insert("SigningCertURL".to_owned(), cert);
    sns.insert("UnsubscribeURL".to_owned(), unsubscribe);
    let lower = sns_record(MESSAGE_ID, &message);

    let from_upper = parse_event(&json!({ "Records": [upper] }));
    let from_lower = parse_event(&json!({ "Records": [lower] }));
    assert_eq!(from_upper.event_id, EventId::new(2));
    assert_eq!(from_upper, from_lower);
}

#[test]
fn envelope_subject_null_or_absent() {
    let message = Value::Object(rds_message()).to_string();
    let mut null_subject = sns_record(MESSAGE_ID, &message);
    null_subject["Sns"]["Subject"] = Value::Null;
    let mut no_subject = sns_record(MESSAGE_ID, &message);
    no_subject["Sns"]
        .as_object_mut()
        .expect("Sns is an object")
        .remove("Subject");

    let from_null = parse_event(&json!({ "Records": [null_subject] }));
    let from_absent = parse_event(&json!({ "Records": [no_subject] }));
    assert_eq!(from_null.event_id, EventId::new(2));
    assert_eq!(from_absent.event_id, EventId::new(2));
}

#[test]
fn event_time_zero_to_nine_fraction_digits() {
    let digits = "123456789";
    for count in 0..=9 {
        let fraction = &digits[..count];
        let text = if count == 0 {
            "2026-12-04 03:14:52".to_owned()
        } else {
            format!("2026-12-04 03:14:52.{fraction}")
        };
        let event = parse_event(&sns_payload_with("Event Time", json!(text)));
        let nanos = format!("{fraction:0<9}")
            .parse::<u32>()
            .expect("nine digits");
        let expected = utc("2026-12-04T03:14:52Z") + chrono::Duration::nanoseconds(nanos.into());
        assert_eq!(event.time, expected, "Event Time {text}");
    }
}

#[test]
fn event_time_rfc3339_accepted() {
    let event = parse_event(&sns_payload_with(
        "Event Time",
        json!("2026-12-04T03:14:52.117Z"),
    ));
    assert_eq!(event.time, utc("2026-12-04T03:14:52.117Z"));
}

#[test]
fn event_time_invalid_is_rejected() {
    let cases = [
        "yesterday",
        "2026-12-04",
        "2026-13-04 03:14:52.117",
        "04/12/2026 03:14:52",
    ];
    for text in cases {
        let error = parse_error(&sns_payload_with("Event Time", json!(text)));
        assert_eq!(error.field, "Event Time", "Event Time {text}");
        assert!(
            matches!(&error.problem, Problem::Timestamp { text: found } if found == text),
            "Event Time {text}: {:?}",
            error.problem
        );
    }
}

#[test]
fn unknown_source_type_kept_as_other() {
    let event = parse_event(&sns_payload_with("Event Source", json!("db-cluster-group")));
    assert_eq!(
        event.source_type,
        SourceType::Other("db-cluster-group".to_owned())
    );
    assert_eq!(event.source_type.to_string(), "db-cluster-group");
    assert_eq!(event.catalogue_entry(), None);
    assert_eq!(event.categories(), Vec::<Category>::new());
    assert_eq!(route_names(&event), Vec::<&str>::new());
}

#[test]
fn unknown_event_id_is_valid_without_categories() {
    let event = parse_event(&sns_payload_with(
        "Event ID",
        json!(format!("{DOCS_URL}#RDS-EVENT-9999")),
    ));
    assert_eq!(event.event_id, EventId::new(9999));
    assert_eq!(event.source_type, SourceType::DbInstance);
    assert_eq!(event.catalogue_entry(), None);
    assert_eq!(event.categories(), Vec::<Category>::new());
    assert_eq!(route_names(&event), Vec::<&str>::new());
}

#[test]
fn new_message_key_kept_in_extra() {
    let mut message = rds_message();
    message.insert("Source Region".to_owned(), json!("us-east-1"));
    message.insert("Engine".to_owned(), json!({ "name": "postgres" }));
    let event = parse_event(&sns_payload(&message));
    let expected: Map<String, Value> = [
        ("Engine".to_owned(), json!({ "name": "postgres" })),
        ("Source Region".to_owned(), json!("us-east-1")),
    ]
    .into_iter()
    .collect();
    assert_eq!(event.extra, expected);
    assert_eq!(event.source_id, "orders-db");
}

#[test]
fn optional_keys_absent_or_null() {
    let mut message = rds_message();
    message.remove("Source ARN");
    message.remove("Tags");
    message.insert("Identifier Link".to_owned(), Value::Null);
    let event = parse_event(&sns_payload(&message));
    assert_eq!(event.source_arn, None);
    assert_eq!(event.identifier_link, None);
    assert_eq!(event.tags, Map::new());
    assert_eq!(event.extra, Map::new());
}

#[test]
fn batch_bad_record_leaves_others_parsed() {
    let records = parse_payload(&load_fixture("sns-batch-one-bad.json")).expect("an SNS event");
    assert_eq!(records.len(), 3);

    let first = match &records[0] {
        Ok(Notification::Event(event)) => event,
        other => panic!("record 0: {other:?}"),
    };
    assert_eq!(first.event_id, EventId::new(2));
    assert_eq!(first.delivery.id(), "b1a2c3d4-0001-5e6f-8a9b-0c1d2e3f4a01");

    let error = match &records[1] {
        Err(error) => error,
        other => panic!("record 1: {other:?}"),
    };
    assert_eq!(error.id, "b1a2c3d4-0002-5e6f-8a9b-0c1d2e3f4a02");
    assert_eq!(error.field, "Event Time");
    assert_eq!(
        error.to_string(),
        "SNS message b1a2c3d4-0002-5e6f-8a9b-0c1d2e3f4a02: field \"Event Time\": invalid \
         timestamp \"yesterday\": expected YYYY-MM-DD HH:MM:SS[.fff] in UTC, or RFC 3339"
    );

    let third = match &records[2] {
        Ok(Notification::Event(event)) => event,
        other => panic!("record 2: {other:?}"),
    };
    assert_eq!(third.event_id, EventId::new(71));
    assert_eq!(third.source_id, "billing-aurora");
}

#[test]
fn batch_order_and_notice_kept() {
    let message = Value::Object(rds_message()).to_string();
    let payload = json!({ "Records": [
        sns_record("m-0", "This is a message to notify that RDS will attempt to send you event notifications of type db-snapshot to the topic x."),
        sns_record("m-1", &message),
        sns_record("m-2", "{not json"),
        sns_record("m-3", &message),
    ]});
    let records = parse_payload(&payload).expect("an SNS event");
    let summary: Vec<String> = records
        .iter()
        .map(|record| match record {
            Ok(Notification::Event(event)) => format!("event {}", event.delivery.id()),
            Ok(Notification::SubscriptionNotice { message_id, .. }) => {
                format!("notice {message_id}")
            }
            Err(error) => format!("error {} {}", error.id, error.field),
        })
        .collect();
    assert_eq!(
        summary,
        ["notice m-0", "event m-1", "error m-2 Message", "event m-3"]
    );
}

#[test]
fn message_plain_text_is_rejected() {
    let payload = json!({ "Records": [sns_record(MESSAGE_ID, "Hello from somewhere else")] });
    let error = parse_error(&payload);
    assert_eq!(error.field, "Message");
    assert_eq!(
        error.to_string(),
        format!(
            "SNS message {MESSAGE_ID}: field \"Message\": not JSON and not the RDS \
             subscription notice (starts with \"Hello from somewhere else\")"
        )
    );
}

#[test]
fn message_json_not_object_is_rejected() {
    for message in ["[]", "5", "\"text\"", "null"] {
        let payload = json!({ "Records": [sns_record(MESSAGE_ID, message)] });
        let error = parse_error(&payload);
        assert_eq!(error.field, "Message", "Message {message}");
        assert!(
            matches!(
                error.problem,
                Problem::WrongType {
                    expected: "a JSON object",
                    ..
                }
            ),
            "Message {message}: {:?}",
            error.problem
        );
    }
}

/// Values of the wrong JSON type for a key whose value is a string.
fn not_strings() -> [(Value, &'static str); 5] {
    [
        (json!(5), "a number"),
        (json!(true), "a boolean"),
        (json!(["x"]), "an array"),
        (json!({ "x": 1 }), "an object"),
        (json!(1.5), "a number"),
    ]
}

#[test]
fn message_key_wrong_type_named() {
    let string_keys = [
        "Event Source",
        "Event Time",
        "Source ID",
        "Event ID",
        "Event Message",
        "Identifier Link",
        "Source ARN",
    ];
    for key in string_keys {
        for (value, found) in not_strings() {
            let error = parse_error(&sns_payload_with(key, value.clone()));
            assert_eq!(error.field, key, "{key} = {value}");
            assert_eq!(
                error.to_string(),
                format!(
                    "SNS message {MESSAGE_ID}: field {key:?}: expected a string, found {found}"
                ),
                "{key} = {value}"
            );
        }
    }
}

#[test]
fn message_tags_wrong_type_named() {
    for value in [json!("team=orders"), json!(["team"]), json!(5)] {
        let error = parse_error(&sns_payload_with("Tags", value.clone()));
        assert_eq!(error.field, "Tags", "Tags = {value}");
        assert!(
            matches!(
                error.problem,
                Problem::WrongType {
                    expected: "an object",
                    ..
                }
            ),
            "Tags = {value}: {:?}",
            error.problem
        );
    }
}

#[test]
fn message_required_key_missing_named() {
    let required = [
        "Event Source",
        "Event Time",
        "Source ID",
        "Event ID",
        "Event Message",
    ];
    for key in required {
        let mut message = rds_message();
        message.remove(key);
        let absent = parse_error(&sns_payload(&message));
        assert_eq!(absent.field, key, "{key} absent");
        assert!(
            matches!(absent.problem, Problem::Missing),
            "{key} absent: {:?}",
            absent.problem
        );

        let null = parse_error(&sns_payload_with(key, Value::Null));
        assert_eq!(null.field, key, "{key} null");
        assert!(
            matches!(null.problem, Problem::Missing),
            "{key} null: {:?}",
            null.problem
        );
    }
}

#[test]
fn message_empty_source_rejected() {
    for key in ["Event Source", "Source ID"] {
        for value in ["", "  "] {
            let error = parse_error(&sns_payload_with(key, json!(value)));
            assert_eq!(error.field, key, "{key} = {value:?}");
            assert!(
                matches!(error.problem, Problem::Empty),
                "{key} = {value:?}: {:?}",
                error.problem
            );
        }
    }
}

#[test]
fn sns_envelope_key_wrong_type_named() {
    let message = Value::Object(rds_message()).to_string();
    let cases = [
        (
            "Sns",
            "Message",
            json!(5),
            "expected a string, found a number",
        ),
        ("Sns", "Message", Value::Null, "missing"),
        (
            "Sns",
            "TopicArn",
            json!(["arn"]),
            "expected a string, found an array",
        ),
        (
            "Sns",
            "Subject",
            json!(5),
            "expected a string, found a number",
        ),
        (
            "Sns",
            "Type",
            json!(true),
            "expected a string, found a boolean",
        ),
        (
            "Sns",
            "MessageAttributes",
            json!([]),
            "expected an object, found an array",
        ),
        (
            "Sns",
            "Timestamp",
            json!(17),
            "expected a string, found a number",
        ),
        (
            "Sns",
            "Timestamp",
            json!("noon"),
            "invalid timestamp \"noon\": expected YYYY-MM-DD HH:MM:SS[.fff] in UTC, or RFC 3339",
        ),
        (
            "",
            "EventSource",
            json!(1),
            "expected a string, found a number",
        ),
    ];
    for (parent, key, value, problem) in cases {
        let mut record = sns_record(MESSAGE_ID, &message);
        let object = if parent.is_empty() {
            &mut record
        } else {
            &mut record[parent]
        };
        object[key] = value.clone();
        let field = if parent.is_empty() {
            key.to_owned()
        } else {
            format!("{parent}.{key}")
        };

        let error = parse_error(&json!({ "Records": [record] }));
        assert_eq!(error.field, field, "{field} = {value}");
        assert_eq!(
            error.to_string(),
            format!("SNS message {MESSAGE_ID}: field {field:?}: {problem}"),
            "{field} = {value}"
        );
    }
}

#[test]
fn sns_not_object_names_record() {
    let error = parse_error(&json!({ "Records": [{
        "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": "arn",
        "Sns": "x",
    }] }));
    assert_eq!(
        error.to_string(),
        "SNS message record 0: field \"Sns\": expected an object, found a string"
    );
}

#[test]
fn sns_message_id_wrong_type_names_record() {
    let message = Value::Object(rds_message()).to_string();
    let good = sns_record("m-0", &message);
    let mut bad = sns_record("m-1", &message);
    bad["Sns"]["MessageId"] = json!(7);
    let records = parse_payload(&json!({ "Records": [good, bad] })).expect("an SNS event");
    let error = records[1].as_ref().expect_err("MessageId is a number");
    assert_eq!(error.id, "record 1");
    assert_eq!(error.field, "Sns.MessageId");
    assert!(records[0].is_ok(), "{:?}", records[0]);
}

#[test]
fn sns_record_not_object_rejected() {
    let records = parse_payload(&json!({ "Records": [5] })).expect("an SNS event");
    let error = records[0].as_ref().expect_err("a number is no record");
    assert_eq!(
        error.to_string(),
        "SNS message record 0: expected an object, found a number"
    );
}

// Payloads that are neither envelope.

#[test]
fn payload_records_not_array_rejected() {
    let error = parse_payload(&json!({ "Records": { "Sns": {} } })).expect_err("not an array");
    assert_eq!(error.envelope, EnvelopeKind::Payload);
    assert_eq!(error.field, "Records");
    assert_eq!(
        error.to_string(),
        "payload: field \"Records\": expected an array, found an object"
    );
}

#[test]
fn payload_unknown_shape_rejected() {
    for payload in [json!({ "hello": "world" }), json!([1, 2]), json!("text")] {
        let error = parse_payload(&payload).expect_err("neither SNS nor EventBridge");
        assert_eq!(error.envelope, EnvelopeKind::Payload, "payload {payload}");
        assert!(
            error.to_string().starts_with("payload: "),
            "payload {payload}: {error}"
        );
    }
}

#[test]
fn payload_empty_records_gives_nothing() {
    let records = parse_payload(&json!({ "Records": [] })).expect("an SNS event");
    assert!(records.is_empty());
}

// EventBridge cases the samples miss.

#[test]
fn eventbridge_other_source_rejected() {
    let mut event = eventbridge_event();
    event["source"] = json!("aws.ec2");
    event["detail-type"] = json!("EC2 Instance State-change Notification");
    event["detail"] = json!({ "instance-id": "i-0123456789abcdef0", "state": "running" });
    let error = parse_error(&event);
    assert_eq!(error.envelope, EnvelopeKind::EventBridge);
    assert_eq!(error.field, "source");
    assert_eq!(
        error.to_string(),
        "EventBridge event 68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e: field \"source\": not an RDS \
         event: source is \"aws.ec2\", expected \"aws.rds\""
    );
}

#[test]
fn eventbridge_without_source_type_uses_detail_type() {
    let cases = [
        ("RDS DB Instance Event", SourceType::DbInstance),
        ("RDS DB Cluster Event", SourceType::DbCluster),
        ("RDS DB Parameter Group Event", SourceType::DbParameterGroup),
        ("RDS DB Security Group Event", SourceType::DbSecurityGroup),
        ("RDS DB Snapshot Event", SourceType::DbSnapshot),
        (
            "RDS DB Cluster Snapshot Event",
            SourceType::DbClusterSnapshot,
        ),
        ("RDS DB Proxy Event", SourceType::DbProxy),
    ];
    for (detail_type, source_type) in cases {
        let mut payload = eventbridge_event();
        payload["detail-type"] = json!(detail_type);
        payload["detail"]
            .as_object_mut()
            .expect("detail is an object")
            .remove("SourceType");
        let event = parse_event(&payload);
        assert_eq!(event.source_type, source_type, "detail-type {detail_type}");
    }
}

#[test]
fn eventbridge_unknown_detail_type_needs_source_type() {
    let mut payload = eventbridge_event();
    payload["detail-type"] = json!("RDS Blue Green Deployment Event");
    payload["detail"]
        .as_object_mut()
        .expect("detail is an object")
        .remove("SourceType");
    let error = parse_error(&payload);
    assert_eq!(error.field, "detail.SourceType");
    assert!(
        matches!(error.problem, Problem::Missing),
        "{:?}",
        error.problem
    );
}

#[test]
fn eventbridge_rds_spelling_of_source_type() {
    let mut payload = eventbridge_event();
    payload["detail"]["SourceType"] = json!("blue-green-deployment");
    payload["detail"]["EventID"] = json!("RDS-EVENT-0248");
    payload["detail"]["EventCategories"] = json!([]);
    let event = parse_event(&payload);
    assert_eq!(event.source_type, SourceType::BlueGreenDeployment);
    assert_eq!(route_names(&event), vec!["failover-reactor"]);
}

#[test]
fn eventbridge_unknown_source_type_kept() {
    let mut payload = eventbridge_event();
    payload["detail"]["SourceType"] = json!("CLUSTER_GROUP");
    let event = parse_event(&payload);
    assert_eq!(
        event.source_type,
        SourceType::Other("CLUSTER_GROUP".to_owned())
    );
}

#[test]
fn eventbridge_missing_date_and_arn_fall_back() {
    let mut payload = eventbridge_event();
    let detail = payload["detail"]
        .as_object_mut()
        .expect("detail is an object");
    detail.remove("Date");
    detail.remove("SourceArn");
    let event = parse_event(&payload);
    assert_eq!(event.time, utc("2026-12-04T11:02:45Z"));
    assert_eq!(
        event.source_arn.as_deref(),
        Some("arn:aws:rds:us-east-1:123456789012:db:orders-db")
    );
}

#[test]
fn eventbridge_new_detail_key_kept_in_extra() {
    let mut payload = eventbridge_event();
    payload["detail"]["SourceRegion"] = json!("us-east-1");
    payload["detail"]["Tags"] = json!({ "team": "orders" });
    let event = parse_event(&payload);
    let expected: Map<String, Value> = [("SourceRegion".to_owned(), json!("us-east-1"))]
        .into_iter()
        .collect();
    assert_eq!(event.extra, expected);
    assert_eq!(event.tags, tags(&[("team", "orders")]));
}

#[test]
fn eventbridge_unknown_category_kept() {
    let mut payload = eventbridge_event();
    payload["detail"]["EventCategories"] = json!(["failover", "zero-etl"]);
    let event = parse_event(&payload);
    assert_eq!(
        event.delivered_categories,
        vec![Category::Failover, Category::Other("zero-etl".to_owned())]
    );
}

#[test]
fn eventbridge_detail_key_wrong_type_named() {
    let string_keys = [
        "EventID",
        "SourceIdentifier",
        "Message",
        "SourceType",
        "Date",
        "SourceArn",
    ];
    for key in string_keys {
        for (value, found) in not_strings() {
            let mut payload = eventbridge_event();
            payload["detail"][key] = value.clone();
            let error = parse_error(&payload);
            let field = format!("detail.{key}");
            assert_eq!(error.field, field, "{field} = {value}");
            assert_eq!(
                error.to_string(),
                format!(
                    "EventBridge event 68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e: field {field:?}: \
                     expected a string, found {found}"
                ),
                "{field} = {value}"
            );
        }
    }
}

#[test]
fn eventbridge_categories_wrong_type_named() {
    let cases = [
        (json!("failover"), "expected an array, found a string"),
        (json!([1]), "expected an array of strings, found a number"),
    ];
    for (value, problem) in cases {
        let mut payload = eventbridge_event();
        payload["detail"]["EventCategories"] = value.clone();
        let error = parse_error(&payload);
        assert_eq!(
            error.field, "detail.EventCategories",
            "EventCategories = {value}"
        );
        assert_eq!(
            error.problem.to_string(),
            problem,
            "EventCategories = {value}"
        );
    }
}

#[test]
fn eventbridge_required_detail_key_missing_named() {
    for key in ["EventID", "SourceIdentifier", "Message"] {
        let mut payload = eventbridge_event();
        payload["detail"]
            .as_object_mut()
            .expect("detail is an object")
            .remove(key);
        let error = parse_error(&payload);
        assert_eq!(error.field, format!("detail.{key}"), "{key} absent");
        assert!(
            matches!(error.problem, Problem::Missing),
            "{key} absent: {:?}",
            error.problem
        );
    }
}

#[test]
fn eventbridge_envelope_key_wrong_type_named() {
    let cases = [
        ("source", json!(5), "expected a string, found a number"),
        (
            "detail-type",
            json!(["x"]),
            "expected a string, found an array",
        ),
        (
            "detail",
            json!("text"),
            "expected an object, found a string",
        ),
        ("detail", Value::Null, "expected an object, found null"),
        (
            "time",
            json!("soon"),
            "invalid timestamp \"soon\": expected YYYY-MM-DD HH:MM:SS[.fff] in UTC, or RFC 3339",
        ),
        ("region", json!(1), "expected a string, found a number"),
        (
            "resources",
            json!("arn"),
            "expected an array, found a string",
        ),
    ];
    for (key, value, problem) in cases {
        let mut payload = eventbridge_event();
        payload[key] = value.clone();
        let error = parse_error(&payload);
        assert_eq!(error.field, key, "{key} = {value}");
        assert_eq!(
            error.to_string(),
            format!(
                "EventBridge event 68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e: field {key:?}: {problem}"
            ),
            "{key} = {value}"
        );
    }
}

#[test]
fn eventbridge_and_sns_give_same_event() {
    let from_sns = parse_event(&load_sample("sns-instance-failover.json"));
    let from_eventbridge = parse_event(&load_sample("eventbridge-instance-failover.json"));
    assert_eq!(from_sns.source_type, from_eventbridge.source_type);
    assert_eq!(from_sns.event_id, from_eventbridge.event_id);
    assert_eq!(from_sns.source_id, from_eventbridge.source_id);
    assert_eq!(from_sns.source_arn, from_eventbridge.source_arn);
    assert_eq!(from_sns.time, from_eventbridge.time);
    assert_eq!(from_sns.categories(), from_eventbridge.categories());
}

#[test]
fn routes_split_samples_between_functions() {
    let backup = parse_event(&load_sample("sns-backup-finished.json"));
    let failover = parse_event(&load_sample("sns-cluster-failover.json"));
    assert!(BACKUP_NOTIFIER.matches_event(&backup));
    assert!(!FAILOVER_REACTOR.matches_event(&backup));
    assert!(FAILOVER_REACTOR.matches_event(&failover));
    assert!(!BACKUP_NOTIFIER.matches_event(&failover));
}
