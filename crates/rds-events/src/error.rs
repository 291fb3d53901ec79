//! Errors of parsing a Lambda payload into RDS events.

use std::fmt;

use crate::event::EventIdError;

/// The envelope a parse error was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// The Lambda payload as a whole, before its kind is known.
    Payload,
    /// An SNS record (`Records[].Sns`).
    Sns,
    /// An EventBridge event.
    EventBridge,
}

impl fmt::Display for EnvelopeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EnvelopeKind::Payload => "payload",
            EnvelopeKind::Sns => "SNS message",
            EnvelopeKind::EventBridge => "EventBridge event",
        })
    }
}

/// A payload, record or RDS message that could not be parsed.
///
/// The display text names the envelope, its ID (the SNS message ID, the EventBridge event ID,
/// or the record's position when the envelope has no readable ID), the field, and the problem:
/// `SNS message 95df01b4-…: field "Event Time": invalid timestamp "yesterday": …`. An ID of
/// `-` and an empty field are left out: `payload: neither an SNS event … nor …`.
#[derive(Debug, thiserror::Error)]
#[error("{envelope}{}: {}{problem}", id_text(.id), field_text(.field))]
pub struct ParseError {
    /// The envelope the error was found in.
    pub envelope: EnvelopeKind,
    /// The SNS message ID, the EventBridge event ID, or `record N` when neither is readable.
    pub id: String,
    /// The field, as the JSON names it (`Event Time`, `detail.EventID`, `Records`).
    pub field: String,
    /// The problem with the field.
    #[source]
    pub problem: Problem,
}

/// The problem with a field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A required field is absent or null.
    #[error("missing")]
    Missing,
    /// The field has another JSON type than the one expected.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// The JSON type expected, with an article (`a string`).
        expected: &'static str,
        /// The JSON type found, with an article (`a number`).
        found: &'static str,
    },
    /// The text is not JSON, or JSON of the wrong shape for the envelope.
    #[error("invalid JSON: {0}")]
    InvalidJson(serde_json::Error),
    /// The SNS `Message` is neither JSON nor the subscription notice RDS sends.
    #[error("not JSON and not the RDS subscription notice (starts with {start:?})")]
    NotJson {
        /// The first characters of the message.
        start: String,
    },
    /// The event ID is not `RDS-EVENT-NNNN`.
    #[error(transparent)]
    EventId(#[from] EventIdError),
    /// A timestamp that is not in a format RDS writes.
    #[error("invalid timestamp {text:?}: expected YYYY-MM-DD HH:MM:SS[.fff] in UTC, or RFC 3339")]
    Timestamp {
        /// The text that failed to parse.
        text: String,
    },
    /// An EventBridge event whose `source` is not `aws.rds`.
    #[error("not an RDS event: source is {source_name:?}, expected \"aws.rds\"")]
    NotRds {
        /// The `source` found.
        source_name: String,
    },
    /// A payload that is neither an SNS event nor an EventBridge event.
    #[error("neither an SNS event (with Records) nor an EventBridge event (with detail-type)")]
    UnknownPayload,
    /// A field that must not be empty is empty.
    #[error("empty")]
    Empty,
}

impl ParseError {
    pub(crate) fn new(
        envelope: EnvelopeKind,
        id: impl Into<String>,
        field: impl Into<String>,
        problem: Problem,
    ) -> ParseError {
        ParseError {
            envelope,
            id: id.into(),
            field: field.into(),
            problem,
        }
    }
}

fn id_text(id: &str) -> String {
    match id {
        "-" | "" => String::new(),
        id => format!(" {id}"),
    }
}

fn field_text(field: &str) -> String {
    match field {
        "" => String::new(),
        field => format!("field {field:?}: "),
    }
}

/// Returns the JSON type of a value, with an article, for error messages.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
