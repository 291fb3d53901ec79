//! The bad-input corpus: every file in `tests/fixtures/bad/` is a Lambda payload, and
//! `cases.json` beside them states what becomes of it.
//!
//! Outcomes, per file:
//! - `not-json`: the bytes are not JSON. The Lambda runtime fails such an invocation before
//!   the handler runs (lambda_runtime 1.5 reports a deserialization error to the runtime
//!   API), so Lambda retries it and its on-failure destination keeps it.
//! - `payload-error`: JSON that is neither an SNS event nor an EventBridge event;
//!   `parse_payload` returns one error naming the field.
//! - `records`: one result per record, in order: an `error` naming the message ID and the
//!   field, RDS's subscription `notice` (skipped), or an `event` with the fields stated.
//!
//! The same manifest drives `crates/rds-functions/tests/records.rs`, which checks what the
//! per-record loop does with each record (its `status`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rds_events::{Notification, ParseError, Problem, RdsEvent, parse_payload};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct Case {
    file: String,
    about: String,
    #[serde(flatten)]
    expected: Expected,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
enum Expected {
    NotJson,
    PayloadError {
        field: String,
        problem: String,
        error_contains: Option<String>,
    },
    Records {
        records: Vec<ExpectedRecord>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
enum ExpectedRecord {
    Event {
        id: String,
        event_id: String,
        source_type: String,
        source_id: String,
        time: String,
        message: Option<String>,
        message_bytes: Option<usize>,
        categories: Option<Vec<String>>,
    },
    Error {
        id: String,
        field: String,
        problem: String,
        error_contains: Option<String>,
    },
    Notice {
        id: String,
    },
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad")
}

fn cases() -> Vec<Case> {
    let path = corpus_dir().join("cases.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Returns the name this test and `cases.json` use for a problem.
fn problem_name(problem: &Problem) -> &'static str {
    match problem {
        Problem::Missing => "missing",
        Problem::WrongType { .. } => "wrong type",
        Problem::InvalidJson(_) => "invalid JSON",
        Problem::NotJson { .. } => "not JSON",
        Problem::EventId(_) => "invalid event ID",
        Problem::Timestamp { .. } => "invalid timestamp",
        Problem::NotRds { .. } => "not RDS",
        Problem::UnknownPayload => "unknown payload",
        Problem::Empty => "empty",
        _ => "a problem this test does not know",
    }
}

/// Compares one value with its expectation, adding a line to `mismatches` when they differ.
fn check<T: PartialEq + std::fmt::Debug>(
    mismatches: &mut Vec<String>,
    what: &str,
    found: T,
    expected: T,
) {
    if found != expected {
        mismatches.push(format!("{what}: found {found:?}, expected {expected:?}"));
    }
}

fn check_error(
    mismatches: &mut Vec<String>,
    error: &ParseError,
    id: &str,
    field: &str,
    problem: &str,
    error_contains: Option<&str>,
) {
    check(mismatches, "error ID", error.id.as_str(), id);
    check(mismatches, "error field", error.field.as_str(), field);
    check(
        mismatches,
        "error problem",
        problem_name(&error.problem),
        problem,
    );
    // The text leaves out the ID `-` of a payload-level error and an empty field.
    let text = error.to_string();
    if id != "-" && !text.contains(id) {
        mismatches.push(format!("error text {text:?} does not name the ID {id:?}"));
    }
    if !field.is_empty() && !text.contains(&format!("field {field:?}")) {
        mismatches.push(format!(
            "error text {text:?} does not name the field {field:?}"
        ));
    }
    if let Some(part) = error_contains
        && !text.contains(part)
    {
        mismatches.push(format!("error text {text:?} does not contain {part:?}"));
    }
}

#[allow(clippy::too_many_arguments)]
fn check_event(
    mismatches: &mut Vec<String>,
    event: &RdsEvent,
    id: &str,
    event_id: &str,
    source_type: &str,
    source_id: &str,
    time: &str,
    message: Option<&str>,
    message_bytes: Option<usize>,
    categories: Option<&[String]>,
) {
    check(mismatches, "delivery ID", event.delivery.id(), id);
    check(
        mismatches,
        "event ID",
        event.event_id.to_string().as_str(),
        event_id,
    );
    check(
        mismatches,
        "source type",
        event.source_type.as_str(),
        source_type,
    );
    check(mismatches, "source ID", event.source_id.as_str(), source_id);
    match DateTime::parse_from_rfc3339(time) {
        Ok(expected) => check(mismatches, "time", event.time, expected.with_timezone(&Utc)),
        Err(err) => mismatches.push(format!("expected time {time:?} is not RFC 3339: {err}")),
    }
    if let Some(message) = message {
        check(mismatches, "message", event.message.as_str(), message);
    }
    if let Some(bytes) = message_bytes {
        check(mismatches, "message bytes", event.message.len(), bytes);
    }
    if let Some(categories) = categories {
        let found: Vec<String> = event
            .categories()
            .iter()
            .map(|category| category.as_str().to_owned())
            .collect();
        check(mismatches, "categories", found.as_slice(), categories);
    }
}

fn check_record(
    mismatches: &mut Vec<String>,
    found: &Result<Notification, ParseError>,
    expected: &ExpectedRecord,
) {
    match (found, expected) {
        (
            Ok(Notification::Event(event)),
            ExpectedRecord::Event {
                id,
                event_id,
                source_type,
                source_id,
                time,
                message,
                message_bytes,
                categories,
            },
        ) => check_event(
            mismatches,
            event,
            id,
            event_id,
            source_type,
            source_id,
            time,
            message.as_deref(),
            *message_bytes,
            categories.as_deref(),
        ),
        (
            Err(error),
            ExpectedRecord::Error {
                id,
                field,
                problem,
                error_contains,
            },
        ) => check_error(
            mismatches,
            error,
            id,
            field,
            problem,
            error_contains.as_deref(),
        ),
        (
            Ok(Notification::SubscriptionNotice { message_id, .. }),
            ExpectedRecord::Notice { id },
        ) => {
            check(mismatches, "notice ID", message_id, id);
        }
        (Err(error), expected) => {
            mismatches.push(format!("expected {expected:?}, found the error: {error}"));
        }
        (Ok(found), expected) => {
            mismatches.push(format!("expected {expected:?}, found {found:?}"));
        }
    }
}

/// Runs one case and returns what differs from its expectation.
fn run_case(dir: &Path, case: &Case) -> Vec<String> {
    let mut mismatches = Vec::new();
    let bytes = match std::fs::read(dir.join(&case.file)) {
        Ok(bytes) => bytes,
        Err(err) => return vec![format!("cannot read the file: {err}")],
    };
    let payload = match (serde_json::from_slice::<Value>(&bytes), &case.expected) {
        (Err(_), Expected::NotJson) => return mismatches,
        (Err(err), _) => return vec![format!("not JSON: {err}")],
        (Ok(_), Expected::NotJson) => return vec!["parsed as JSON, expected not to".to_owned()],
        (Ok(payload), _) => payload,
    };

    match (parse_payload(&payload), &case.expected) {
        (
            Err(error),
            Expected::PayloadError {
                field,
                problem,
                error_contains,
            },
        ) => check_error(
            &mut mismatches,
            &error,
            "-",
            field,
            problem,
            error_contains.as_deref(),
        ),
        (Ok(records), Expected::Records { records: expected }) => {
            check(
                &mut mismatches,
                "number of records",
                records.len(),
                expected.len(),
            );
            for (index, (found, expected)) in records.iter().zip(expected).enumerate() {
                let mut record_mismatches = Vec::new();
                check_record(&mut record_mismatches, found, expected);
                mismatches.extend(
                    record_mismatches
                        .into_iter()
                        .map(|mismatch| format!("record {index}: {mismatch}")),
                );
            }
        }
        (Err(error), _) => mismatches.push(format!("unexpected payload error: {error}")),
        (Ok(records), _) => mismatches.push(format!(
            "expected a payload error, found {} records",
            records.len()
        )),
    }
    mismatches
}

#[test]
fn every_case_has_its_stated_outcome() {
    let dir = corpus_dir();
    let mut failures = Vec::new();
    for case in cases() {
        // A panic is a failure of its own, reported with the file, not the end of the run.
        let mismatches = catch_unwind(AssertUnwindSafe(|| run_case(&dir, &case)))
            .unwrap_or_else(|_| vec!["parsing panicked".to_owned()]);
        for mismatch in mismatches {
            failures.push(format!("{} ({}): {mismatch}", case.file, case.about));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn manifest_lists_every_file_once() {
    let mut listed: Vec<String> = cases().into_iter().map(|case| case.file).collect();
    listed.sort();
    let before = listed.len();
    listed.dedup();
    assert_eq!(listed.len(), before, "a file is listed twice in cases.json");

    let mut files: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus directory")
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != "cases.json")
        .collect();
    files.sort();
    assert_eq!(files, listed);
    assert!(listed.len() >= 30, "only {} cases", listed.len());
}

#[test]
fn corpus_covers_every_outcome() {
    let cases = cases();
    let count = |wanted: fn(&Case) -> bool| cases.iter().filter(|case| wanted(case)).count();
    assert!(count(|case| matches!(case.expected, Expected::NotJson)) >= 3);
    assert!(count(|case| matches!(case.expected, Expected::PayloadError { .. })) >= 3);
    let records: Vec<&ExpectedRecord> = cases
        .iter()
        .filter_map(|case| match &case.expected {
            Expected::Records { records } => Some(records),
            _ => None,
        })
        .flatten()
        .collect();
    let errors = records
        .iter()
        .filter(|record| matches!(record, ExpectedRecord::Error { .. }))
        .count();
    let events = records
        .iter()
        .filter(|record| matches!(record, ExpectedRecord::Event { .. }))
        .count();
    let notices = records
        .iter()
        .filter(|record| matches!(record, ExpectedRecord::Notice { .. }))
        .count();
    assert!(errors >= 30, "{errors} error records");
    assert!(events >= 20, "{events} event records");
    assert!(notices >= 2, "{notices} notices");
}
