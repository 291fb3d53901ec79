//! Checks of envelope keys, to name the key when `aws_lambda_events` rejects an envelope.
//!
//! serde's error for a value of the wrong type ("invalid type: integer `5`, expected a
//! string") does not say which key held it. Parsing runs these checks only after the
//! deserializer has failed, so the usual path pays nothing for them.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{Problem, json_type};

/// The JSON contents an envelope key must have.
#[derive(Clone, Copy)]
enum Expect {
    /// A string.
    String,
    /// A string, null or nothing.
    OptionalString,
    /// An RFC 3339 timestamp.
    Timestamp,
    /// An RFC 3339 timestamp, null or nothing.
    OptionalTimestamp,
    /// An object.
    Object,
    /// An object, null or nothing.
    OptionalObject,
    /// An array of strings, null or nothing.
    OptionalStringArray,
    /// Any value but null.
    Present,
}

/// A key, its accepted spellings (the first is the one named in errors), and its contents.
type KeySpec = (&'static [&'static str], Expect);

/// The keys of a Lambda SNS record (`Records[]`) outside `Sns`.
const SNS_RECORD_KEYS: &[KeySpec] = &[
    (&["EventSource"], Expect::String),
    (&["EventVersion"], Expect::String),
    (&["EventSubscriptionArn"], Expect::String),
    (&["Sns"], Expect::Object),
];

/// The keys of `Records[].Sns`, as `aws_lambda_events::sns::SnsMessage` reads them.
const SNS_MESSAGE_KEYS: &[KeySpec] = &[
    (&["Type"], Expect::String),
    (&["MessageId"], Expect::String),
    (&["TopicArn"], Expect::String),
    (&["Subject"], Expect::OptionalString),
    (&["Timestamp"], Expect::Timestamp),
    (&["SignatureVersion"], Expect::String),
    (&["Signature"], Expect::String),
    (&["SigningCertUrl", "SigningCertURL"], Expect::String),
    (&["UnsubscribeUrl", "UnsubscribeURL"], Expect::String),
    (&["Message"], Expect::String),
    (&["MessageAttributes"], Expect::OptionalObject),
];

/// The keys of an EventBridge event, as `aws_lambda_events::eventbridge::EventBridgeEvent`
/// reads them.
const EVENTBRIDGE_KEYS: &[KeySpec] = &[
    (&["version"], Expect::OptionalString),
    (&["id"], Expect::OptionalString),
    (&["detail-type"], Expect::String),
    (&["source"], Expect::String),
    (&["account"], Expect::OptionalString),
    (&["time"], Expect::OptionalTimestamp),
    (&["region"], Expect::OptionalString),
    (&["resources"], Expect::OptionalStringArray),
    (&["detail"], Expect::Present),
];

/// Returns the first key of an SNS record that `SnsRecord` cannot take, named with its path
/// (`Sns.Message`), and what is wrong with it.
pub(crate) fn sns_record_problem(record: &Value) -> Option<(String, Problem)> {
    if let Some(problem) = check_keys(record, "", SNS_RECORD_KEYS) {
        return Some(problem);
    }
    let sns = record.get("Sns")?;
    check_keys(sns, "Sns.", SNS_MESSAGE_KEYS)
}

/// Returns the first key of an EventBridge event that `EventBridgeEvent` cannot take, and
/// what is wrong with it.
pub(crate) fn eventbridge_problem(event: &Value) -> Option<(String, Problem)> {
    check_keys(event, "", EVENTBRIDGE_KEYS)
}

fn check_keys(value: &Value, prefix: &str, keys: &[KeySpec]) -> Option<(String, Problem)> {
    let Some(object) = value.as_object() else {
        let problem = Problem::WrongType {
            expected: "an object",
            found: json_type(value),
        };
        return Some((prefix.trim_end_matches('.').to_owned(), problem));
    };
    keys.iter().find_map(|(spellings, expect)| {
        let found = spellings
            .iter()
            .find_map(|spelling| object.get(*spelling))
            .unwrap_or(&Value::Null);
        check_value(found, *expect).map(|problem| (format!("{prefix}{}", spellings[0]), problem))
    })
}

fn check_value(value: &Value, expect: Expect) -> Option<Problem> {
    let wrong_type = |expected| {
        Some(Problem::WrongType {
            expected,
            found: json_type(value),
        })
    };
    match (expect, value) {
        (Expect::String | Expect::Timestamp | Expect::Object | Expect::Present, Value::Null) => {
            Some(Problem::Missing)
        }
        (
            Expect::OptionalString
            | Expect::OptionalTimestamp
            | Expect::OptionalObject
            | Expect::OptionalStringArray,
            Value::Null,
        ) => None,
        (Expect::Present, _) => None,
        (Expect::String | Expect::OptionalString, Value::String(_)) => None,
        (Expect::String | Expect::OptionalString, _) => wrong_type("a string"),
        (Expect::Timestamp | Expect::OptionalTimestamp, Value::String(text)) => {
            match text.parse::<DateTime<Utc>>() {
                Ok(_) => None,
                Err(_) => Some(Problem::Timestamp { text: text.clone() }),
            }
        }
        (Expect::Timestamp | Expect::OptionalTimestamp, _) => wrong_type("a string"),
        (Expect::Object | Expect::OptionalObject, Value::Object(_)) => None,
        (Expect::Object | Expect::OptionalObject, _) => wrong_type("an object"),
        (Expect::OptionalStringArray, Value::Array(items)) => items
            .iter()
            .find(|item| !item.is_string())
            .map(|item| Problem::WrongType {
                expected: "an array of strings",
                found: json_type(item),
            }),
        (Expect::OptionalStringArray, _) => wrong_type("an array"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_message_type_names_sns_message() {
        let record = json!({
            "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": "arn",
            "Sns": { "Type": "Notification", "MessageId": "m-1", "TopicArn": "arn",
                     "Timestamp": "2026-12-04T03:14:53.020Z", "SignatureVersion": "1",
                     "Signature": "x", "SigningCertURL": "u", "UnsubscribeURL": "u",
                     "Message": 5 }
        });
        let (field, problem) = sns_record_problem(&record).expect("a problem");
        assert_eq!(field, "Sns.Message");
        assert_eq!(problem.to_string(), "expected a string, found a number");
    }

    #[test]
    fn non_object_record_names_no_key() {
        let (field, problem) = sns_record_problem(&json!([1])).expect("a problem");
        assert_eq!(field, "");
        assert_eq!(problem.to_string(), "expected an object, found an array");
    }

    #[test]
    fn resources_of_numbers_are_rejected() {
        let event = json!({ "detail-type": "x", "source": "aws.rds", "detail": {},
                            "resources": ["arn", 5] });
        let (field, problem) = eventbridge_problem(&event).expect("a problem");
        assert_eq!(field, "resources");
        assert_eq!(
            problem.to_string(),
            "expected an array of strings, found a number"
        );
    }
}
