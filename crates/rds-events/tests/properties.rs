//! Property tests: parsing never panics, whatever the payload, and event IDs round-trip.

use std::path::PathBuf;

use proptest::prelude::*;
use rds_events::{EventId, Notification, Problem, parse_payload};
use serde_json::{Map, Value, json};

/// Keys that steer the parser, so that generated objects reach past the first check.
const KEYS: &[&str] = &[
    "Records",
    "Sns",
    "Message",
    "MessageId",
    "TopicArn",
    "Timestamp",
    "Type",
    "Subject",
    "detail-type",
    "detail",
    "source",
    "id",
    "time",
    "resources",
    "Event Source",
    "Event Time",
    "Event ID",
    "Source ID",
    "Event Message",
    "Tags",
    "EventID",
    "SourceType",
    "Date",
    "EventCategories",
];

/// The keys of the RDS message inside an SNS `Message`.
const SNS_MESSAGE_KEYS: &[&str] = &[
    "Event Source",
    "Event Time",
    "Identifier Link",
    "Source ID",
    "Source ARN",
    "Event ID",
    "Event Message",
    "Tags",
];

/// The keys of an RDS EventBridge event's `detail`.
const DETAIL_KEYS: &[&str] = &[
    "EventCategories",
    "SourceType",
    "SourceArn",
    "Date",
    "Message",
    "SourceIdentifier",
    "EventID",
    "Tags",
];

fn sample(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn sample_bytes() -> Vec<u8> {
    serde_json::to_vec(&sample("sns-backup-finished.json")).expect("a Value serializes")
}

/// Returns the RDS message of the SNS sample, as an object.
fn sample_message() -> Map<String, Value> {
    let payload = sample("sns-backup-finished.json");
    let text = payload["Records"][0]["Sns"]["Message"]
        .as_str()
        .expect("Message is a string");
    serde_json::from_str(text).expect("the sample's Message is a JSON object")
}

/// Returns the SNS sample with its `Message` replaced.
fn with_message(message: String) -> Value {
    let mut payload = sample("sns-backup-finished.json");
    payload["Records"][0]["Sns"]["Message"] = Value::String(message);
    payload
}

/// Generates any JSON value, with object keys mostly taken from the envelope and message keys.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        any::<String>().prop_map(Value::String),
        "RDS-EVENT-[0-9]{0,7}".prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?Z?"
            .prop_map(Value::String),
    ];
    let key = prop_oneof![
        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Generates text for a message field: any string, or one close to what the field contains.
fn field_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z-]{0,24}",
        "(https?://[a-z.]{0,20}/[A-Za-z_./]{0,30})?#?RDS-EVENT-[0-9]{0,8}",
        "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}[ T][0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}(\\.[0-9]{0,12})?[Z+0-9:]{0,6}",
        "\\PC{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
            let _ = parse_payload(&value);
        }
    }

    #[test]
    fn mutated_sample_never_panics(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..8)
    ) {
        let mut bytes = sample_bytes();
        for (index, byte, kind) in edits {
            let position = index.index(bytes.len());
            match kind {
                0 => bytes[position] = byte,
                1 => bytes.insert(position, byte),
                _ => {
                    bytes.remove(position);
                }
            }
        }
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
            let _ = parse_payload(&value);
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        let _ = parse_payload(&value);
        let _ = parse_payload(&json!({ "Records": [value.clone()] }));
        let _ = parse_payload(&json!({ "Records": [{ "Sns": value.clone() }] }));
        let mut eventbridge = sample("eventbridge-instance-failover.json");
        eventbridge["detail"] = value.clone();
        let _ = parse_payload(&eventbridge);
        let _ = parse_payload(&with_message(value.to_string()));
    }

    #[test]
    fn arbitrary_message_text_never_panics(text in any::<String>()) {
        let records = parse_payload(&with_message(text)).expect("the envelope is valid");
        prop_assert_eq!(records.len(), 1);
    }

    #[test]
    fn sns_field_arbitrary_text_never_panics(
        key in proptest::sample::select(SNS_MESSAGE_KEYS),
        text in field_text(),
    ) {
        let mut message = sample_message();
        message.insert(key.to_owned(), Value::String(text.clone()));
        let records = parse_payload(&with_message(Value::Object(message).to_string()))
            .expect("the envelope is valid");
        prop_assert_eq!(records.len(), 1);

        // The fields taken as they come must keep the text exactly.
        match (key, &records[0]) {
            ("Event Message", Ok(Notification::Event(event))) => {
                prop_assert_eq!(&event.message, &text);
            }
            ("Event Message", other) => prop_assert!(false, "Event Message {:?}: {:?}", text, other),
            ("Source ID", Ok(Notification::Event(event))) => {
                prop_assert_eq!(&event.source_id, &text);
            }
            ("Source ID", Err(error)) => {
                prop_assert!(text.trim().is_empty(), "Source ID {:?}: {}", text, error);
                prop_assert!(matches!(error.problem, Problem::Empty));
            }
            ("Event Source", Ok(Notification::Event(event))) => {
                prop_assert_eq!(event.source_type.as_str(), text.as_str());
            }
            ("Tags", result) => {
                let error = result.as_ref().expect_err("Tags must be an object");
                prop_assert_eq!(error.field.as_str(), "Tags");
            }
            _ => {}
        }
    }

    #[test]
    fn sns_field_arbitrary_json_never_panics(
        key in proptest::sample::select(SNS_MESSAGE_KEYS),
        value in any_json(),
    ) {
        let mut message = sample_message();
        message.insert(key.to_owned(), value);
        let records = parse_payload(&with_message(Value::Object(message).to_string()))
            .expect("the envelope is valid");
        if let Err(error) = &records[0] {
            prop_assert_eq!(error.field.as_str(), key);
        }
    }

    #[test]
    fn detail_field_arbitrary_text_never_panics(
        key in proptest::sample::select(DETAIL_KEYS),
        text in field_text(),
    ) {
        let mut payload = sample("eventbridge-instance-failover.json");
        payload["detail"][key] = Value::String(text);
        let records = parse_payload(&payload).expect("an EventBridge event");
        prop_assert_eq!(records.len(), 1);
        if let Err(error) = &records[0] {
            prop_assert_eq!(error.field.clone(), format!("detail.{key}"));
        }
    }

    #[test]
    fn detail_field_arbitrary_json_never_panics(
        key in proptest::sample::select(DETAIL_KEYS),
        value in any_json(),
    ) {
        let mut payload = sample("eventbridge-instance-failover.json");
        payload["detail"][key] = value;
        let records = parse_payload(&payload).expect("an EventBridge event");
        if let Err(error) = &records[0] {
            prop_assert_eq!(error.field.clone(), format!("detail.{key}"));
        }
    }

    #[test]
    fn event_id_display_parse_round_trips(number in 0u32..=999_999) {
        let id = EventId::new(number);
        let text = id.to_string();
        prop_assert_eq!(EventId::parse(&text), Ok(id));
        prop_assert_eq!(text.parse::<EventId>(), Ok(id));
        prop_assert_eq!(EventId::parse(&format!("https://docs.aws.amazon.com/x.html#{text}")), Ok(id));
    }

    #[test]
    fn event_id_parse_display_normalizes(digits in "[0-9]{1,6}", prefix in "[^#]{0,40}") {
        let number: u32 = digits.parse().expect("at most six digits");
        let id = EventId::parse(&format!("{prefix}#RDS-EVENT-{digits}")).expect("a valid ID");
        prop_assert_eq!(id.number(), number);
        prop_assert_eq!(id.to_string(), format!("RDS-EVENT-{number:04}"));
        prop_assert_eq!(EventId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn event_id_parse_never_panics(text in any::<String>()) {
        if let Ok(id) = EventId::parse(&text) {
            prop_assert_eq!(EventId::parse(&id.to_string()), Ok(id));
        }
    }
}
