//! Parsing of Lambda payloads: SNS events carrying RDS messages, and EventBridge events.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sns::SnsRecord;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{EnvelopeKind, ParseError, Problem, json_type};
use crate::event::{Category, Delivery, EventId, RdsEvent, SourceType};
use crate::shape;

/// The content of one SNS record or EventBridge event.
#[derive(Clone, Debug, PartialEq)]
pub enum Notification {
    /// An RDS event.
    Event(Box<RdsEvent>),
    /// The plain-text notice RDS sends to a topic once, when an event subscription is created
    /// ("This is a message to notify that RDS will attempt to send you event notifications
    /// …"). It carries no event and needs no action.
    SubscriptionNotice {
        /// The SNS message ID.
        message_id: String,
        /// The notice's text.
        text: String,
    },
}

/// The text RDS's subscription notice contains; it is the only non-JSON message RDS sends.
const SUBSCRIPTION_NOTICE_MARKER: &str = "RDS will attempt to send you event notifications";

/// Parses a Lambda payload of either kind into one result per record.
///
/// An SNS event gives one result per record, in order, so that a bad record does not hide
/// the good ones next to it. An EventBridge event gives one result.
///
/// # Errors
/// Returns an error when the payload is neither an SNS event (an object with `Records`) nor
/// an EventBridge event (an object with `detail-type`), or when `Records` is not an array.
pub fn parse_payload(payload: &Value) -> Result<Vec<Result<Notification, ParseError>>, ParseError> {
    let payload_error =
        |field: &str, problem| ParseError::new(EnvelopeKind::Payload, "-", field, problem);
    let Some(object) = payload.as_object() else {
        return Err(payload_error(
            "",
            Problem::WrongType {
                expected: "an object",
                found: json_type(payload),
            },
        ));
    };

    if let Some(records) = object.get("Records") {
        let records = records.as_array().ok_or_else(|| {
            payload_error(
                "Records",
                Problem::WrongType {
                    expected: "an array",
                    found: json_type(records),
                },
            )
        })?;
        return Ok(records
            .iter()
            .enumerate()
            .map(|(index, record)| parse_sns_record_value(index, record))
            .collect());
    }
    if object.contains_key("detail-type") {
        return Ok(vec![
            parse_eventbridge_value(payload).map(|event| Notification::Event(Box::new(event))),
        ]);
    }
    Err(payload_error("", Problem::UnknownPayload))
}

/// Parses one element of an SNS event's `Records` array.
fn parse_sns_record_value(index: usize, record: &Value) -> Result<Notification, ParseError> {
    let readable_id = record
        .pointer("/Sns/MessageId")
        .and_then(Value::as_str)
        .map_or_else(|| format!("record {index}"), str::to_owned);
    let record: SnsRecord = serde_json::from_value(record.clone()).map_err(|err| {
        let (field, problem) = shape::sns_record_problem(record)
            .unwrap_or_else(|| ("Sns".to_owned(), Problem::InvalidJson(err)));
        ParseError::new(EnvelopeKind::Sns, readable_id, field, problem)
    })?;
    parse_sns_record(&record)
}

/// Parses an SNS record whose `Message` is an RDS event.
///
/// # Errors
/// Returns an error naming the SNS message ID and the field when the message is not JSON
/// (other than RDS's subscription notice), lacks a required key, or has a value of the
/// wrong type or format.
pub fn parse_sns_record(record: &SnsRecord) -> Result<Notification, ParseError> {
    let sns = &record.sns;
    let message_id = sns.message_id.as_str();
    let error =
        |field: &str, problem| ParseError::new(EnvelopeKind::Sns, message_id, field, problem);

    let body: Map<String, Value> = match serde_json::from_str::<Value>(&sns.message) {
        Ok(Value::Object(body)) => body,
        Ok(other) => {
            return Err(error(
                "Message",
                Problem::WrongType {
                    expected: "a JSON object",
                    found: json_type(&other),
                },
            ));
        }
        Err(err) => {
            let text = sns.message.trim_start();
            if text.starts_with(['{', '[']) {
                return Err(error("Message", Problem::InvalidJson(err)));
            }
            if text.contains(SUBSCRIPTION_NOTICE_MARKER) {
                return Ok(Notification::SubscriptionNotice {
                    message_id: message_id.to_owned(),
                    text: sns.message.clone(),
                });
            }
            let start: String = text.chars().take(40).collect();
            return Err(error("Message", Problem::NotJson { start }));
        }
    };

    let mut fields = Fields {
        body,
        envelope: EnvelopeKind::Sns,
        id: message_id,
        prefix: "",
    };
    let event_id = EventId::parse(&fields.required_string("Event ID")?)
        .map_err(|err| error("Event ID", err.into()))?;
    let source_type = SourceType::from_rds(&fields.required_non_empty("Event Source")?);
    let time_text = fields.required_string("Event Time")?;
    let time = parse_rds_time(&time_text)
        .ok_or_else(|| error("Event Time", Problem::Timestamp { text: time_text }))?;
    let source_id = fields.required_non_empty("Source ID")?;
    let message = fields.required_string("Event Message")?;
    let identifier_link = fields.optional_string("Identifier Link")?;
    let source_arn = fields.optional_string("Source ARN")?;
    let tags = fields.optional_object("Tags")?;

    Ok(Notification::Event(Box::new(RdsEvent {
        source_type,
        event_id,
        time,
        source_id,
        source_arn,
        identifier_link,
        message,
        delivered_categories: Vec::new(),
        tags,
        extra: fields.body,
        delivery: Delivery::Sns {
            message_id: message_id.to_owned(),
            topic_arn: sns.topic_arn.clone(),
            timestamp: sns.timestamp,
        },
    })))
}

/// Parses an EventBridge event from RDS (`source` is `aws.rds`).
///
/// # Errors
/// Returns an error naming the event ID and the field when the envelope is malformed, the
/// source is not RDS, or `detail` lacks a required field or has a wrong value.
pub fn parse_eventbridge_value(payload: &Value) -> Result<RdsEvent, ParseError> {
    let readable_id = payload
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("-")
        .to_owned();
    let event: EventBridgeEvent<Value> =
        serde_json::from_value(payload.clone()).map_err(|err| {
            let (field, problem) = shape::eventbridge_problem(payload)
                .unwrap_or_else(|| (String::new(), Problem::InvalidJson(err)));
            ParseError::new(EnvelopeKind::EventBridge, readable_id, field, problem)
        })?;
    parse_eventbridge(event)
}

/// Parses a deserialized EventBridge event from RDS.
///
/// # Errors
/// As [`parse_eventbridge_value`].
pub fn parse_eventbridge(event: EventBridgeEvent<Value>) -> Result<RdsEvent, ParseError> {
    let id = event.id.clone().unwrap_or_else(|| "-".to_owned());
    let error = |field: &str, problem| {
        ParseError::new(EnvelopeKind::EventBridge, id.as_str(), field, problem)
    };

    if event.source != "aws.rds" {
        return Err(error(
            "source",
            Problem::NotRds {
                source_name: event.source.clone(),
            },
        ));
    }
    let body = match event.detail {
        Value::Object(body) => body,
        other => {
            return Err(error(
                "detail",
                Problem::WrongType {
                    expected: "an object",
                    found: json_type(&other),
                },
            ));
        }
    };

    let mut fields = Fields {
        body,
        envelope: EnvelopeKind::EventBridge,
        id: &id,
        prefix: "detail.",
    };
    let event_id = EventId::parse(&fields.required_string("EventID")?)
        .map_err(|err| error("detail.EventID", err.into()))?;
    let source_type = match fields.optional_string("SourceType")? {
        Some(name) => SourceType::from_eventbridge(&name),
        None => source_type_of_detail_type(&event.detail_type)
            .ok_or_else(|| error("detail.SourceType", Problem::Missing))?,
    };
    let time = match fields.optional_string("Date")? {
        Some(text) => parse_rds_time(&text)
            .ok_or_else(|| error("detail.Date", Problem::Timestamp { text }))?,
        None => event.time.ok_or_else(|| error("time", Problem::Missing))?,
    };
    let source_id =
        strip_legacy_prefix(&source_type, fields.required_non_empty("SourceIdentifier")?);
    let message = fields.required_string("Message")?;
    let source_arn = match fields.optional_string("SourceArn")? {
        Some(arn) => Some(arn),
        None => event
            .resources
            .as_ref()
            .and_then(|resources| resources.first().cloned()),
    };
    let delivered_categories = fields.optional_string_array("EventCategories")?;
    let tags = fields.optional_object("Tags")?;

    Ok(RdsEvent {
        source_type,
        event_id,
        time,
        source_id,
        source_arn,
        identifier_link: None,
        message,
        delivered_categories: delivered_categories
            .iter()
            .map(|name| Category::from_name(name))
            .collect(),
        tags,
        extra: fields.body,
        delivery: Delivery::EventBridge {
            id: id.clone(),
            detail_type: event.detail_type,
            account: event.account,
            region: event.region,
        },
    })
}

/// Removes the `rds:` prefix that EventBridge events documented before mid-2023 put on every
/// `SourceIdentifier` (`rds:my-db-instance`). Snapshot identifiers keep it, because automated
/// snapshots are really named `rds:…`; other RDS identifiers cannot contain a colon.
fn strip_legacy_prefix(source_type: &SourceType, source_id: String) -> String {
    let is_snapshot = matches!(
        source_type,
        SourceType::DbSnapshot | SourceType::DbClusterSnapshot
    );
    match source_id.strip_prefix("rds:") {
        Some(name) if !is_snapshot && !name.is_empty() => name.to_owned(),
        _ => source_id,
    }
}

/// Maps a documented EventBridge `detail-type` to its source type.
fn source_type_of_detail_type(detail_type: &str) -> Option<SourceType> {
    SourceType::KNOWN
        .into_iter()
        .find(|source_type| source_type.eventbridge_detail_type() == Some(detail_type))
}

/// Parses the time formats RDS writes, all in UTC.
///
/// SNS messages carry `2019-01-02 12:45:06.000` (no zone, UTC); EventBridge carries RFC 3339
/// (`2018-09-27T22:36:43.292Z`). From zero to nine fraction digits are accepted.
pub fn parse_rds_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let naive = text.strip_suffix('Z').unwrap_or(text);
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(naive, format).ok())
        .map(|time| time.and_utc())
}

/// The keys of an RDS message, taken out one by one so that the rest can be kept.
struct Fields<'a> {
    body: Map<String, Value>,
    envelope: EnvelopeKind,
    id: &'a str,
    prefix: &'static str,
}

impl Fields<'_> {
    fn error(&self, key: &str, problem: Problem) -> ParseError {
        ParseError::new(
            self.envelope,
            self.id,
            format!("{}{key}", self.prefix),
            problem,
        )
    }

    fn optional_string(&mut self, key: &str) -> Result<Option<String>, ParseError> {
        match self.body.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.error(
                key,
                Problem::WrongType {
                    expected: "a string",
                    found: json_type(&other),
                },
            )),
        }
    }

    fn required_string(&mut self, key: &str) -> Result<String, ParseError> {
        self.optional_string(key)?
            .ok_or_else(|| self.error(key, Problem::Missing))
    }

    fn required_non_empty(&mut self, key: &str) -> Result<String, ParseError> {
        let text = self.required_string(key)?;
        if text.trim().is_empty() {
            return Err(self.error(key, Problem::Empty));
        }
        Ok(text)
    }

    fn optional_object(&mut self, key: &str) -> Result<Map<String, Value>, ParseError> {
        match self.body.remove(key) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(object)) => Ok(object),
            Some(other) => Err(self.error(
                key,
                Problem::WrongType {
                    expected: "an object",
                    found: json_type(&other),
                },
            )),
        }
    }

    fn optional_string_array(&mut self, key: &str) -> Result<Vec<String>, ParseError> {
        let items = match self.body.remove(key) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.error(
                    key,
                    Problem::WrongType {
                        expected: "an array",
                        found: json_type(&other),
                    },
                ));
            }
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                other => Err(self.error(
                    key,
                    Problem::WrongType {
                        expected: "an array of strings",
                        found: json_type(&other),
                    },
                )),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_prefix_is_stripped_from_instances() {
        let id = strip_legacy_prefix(
            &SourceType::DbSecurityGroup,
            "rds:my-security-group".to_owned(),
        );
        assert_eq!(id, "my-security-group");
    }

    #[test]
    fn legacy_prefix_is_kept_on_snapshots() {
        let id = strip_legacy_prefix(
            &SourceType::DbSnapshot,
            "rds:orders-db-2026-12-04-03-10".to_owned(),
        );
        assert_eq!(id, "rds:orders-db-2026-12-04-03-10");
    }

    #[test]
    fn rds_time_accepts_both_formats() {
        let sns = parse_rds_time("2019-01-02 12:45:06.000").expect("SNS format");
        let eventbridge = parse_rds_time("2019-01-02T12:45:06Z").expect("RFC 3339");
        assert_eq!(sns, eventbridge);
        assert!(parse_rds_time("2019-01-02 12:45:06").is_some());
        assert!(parse_rds_time("2019-01-02 12:45:06.123456789").is_some());
        assert!(parse_rds_time("yesterday").is_none());
    }
}
