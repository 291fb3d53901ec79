//! The per-record loop on bad input, without AWS: `records::process` with a handler that
//! counts the events it is given.
//!
//! The payloads and their expected outcomes are the corpus of
//! `crates/rds-events/tests/fixtures/bad/`. For each payload the invocation must fail exactly
//! when a record failed, name exactly the failed records, and hand every good record of the
//! route to the handler, in order, whatever the records around it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Mutex;

use rds_events::RdsEvent;
use rds_events::route::{BACKUP_NOTIFIER, Route};
use rds_functions::notify::{
    Format, MAX_BODY_BYTES, MAX_SUBJECT_CHARS, NotificationMessage, Severity,
};
use rds_functions::records::{Handler, HandlerError, InvocationError, Outcome, Summary, process};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
struct Case {
    file: String,
    outcome: String,
    #[serde(default)]
    records: Vec<ExpectedRecord>,
}

#[derive(Debug, Deserialize)]
struct ExpectedRecord {
    id: String,
    status: String,
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rds-events/tests/fixtures/bad")
}

fn cases() -> Vec<Case> {
    let path = corpus_dir().join("cases.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// A handler of the backup-notifier route that records the delivery ID of each event it is
/// given, formats the notification a function would send, and fails the delivery IDs in `fail_ids`.
#[derive(Default)]
struct CountingHandler {
    handled: Mutex<Vec<String>>,
    fail_ids: Vec<String>,
}

impl CountingHandler {
    fn failing(ids: &[&str]) -> CountingHandler {
        CountingHandler {
            handled: Mutex::default(),
            fail_ids: ids.iter().map(|id| (*id).to_owned()).collect(),
        }
    }

    fn handled(&self) -> Vec<String> {
        self.handled.lock().expect("handler lock").clone()
    }
}

impl Handler for CountingHandler {
    fn route(&self) -> &'static Route {
        &BACKUP_NOTIFIER
    }

    async fn handle(&self, event: &RdsEvent) -> Result<Outcome, HandlerError> {
        let id = event.delivery.id().to_owned();
        self.handled.lock().expect("handler lock").push(id.clone());

        // The notification must stay within SNS's limits whatever the event carried.
        let title = format!("RDS {}: {}", event.source_id, event.message);
        let message = NotificationMessage::for_event(event, title, Severity::Info);
        let subject = message.subject();
        if subject.chars().count() > MAX_SUBJECT_CHARS
            || !subject.chars().all(|c| (' '..='~').contains(&c))
        {
            return Err(format!("subject {subject:?} is not what SNS accepts").into());
        }
        for format in [Format::Text, Format::Chat] {
            let body = message.body(format);
            if body.len() > MAX_BODY_BYTES {
                return Err(format!("{format:?} body of {} bytes", body.len()).into());
            }
        }

        if self.fail_ids.contains(&id) {
            return Err("publish failed (test)".into());
        }
        Ok(Outcome::new("counted", None))
    }
}

/// Returns the IDs and statuses in an invocation's result, failed or not.
fn statuses(result: &Result<Summary, InvocationError>) -> Vec<(String, String)> {
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => &error.summary,
    };
    summary
        .records
        .iter()
        .map(|record| (record.id.clone(), record.status.to_owned()))
        .collect()
}

/// Runs one payload through `process` and returns what differs from the case.
async fn run_case(case: &Case) -> Vec<String> {
    let path = corpus_dir().join(&case.file);
    let bytes = std::fs::read(&path).unwrap_or_default();
    let Ok(payload) = serde_json::from_slice::<Value>(&bytes) else {
        // The runtime rejects a payload that is not JSON before the handler runs.
        return if case.outcome == "not-json" {
            Vec::new()
        } else {
            vec!["not JSON".to_owned()]
        };
    };
    let handler = CountingHandler::default();
    let result = process(&payload, &handler).await;
    let mut mismatches = Vec::new();

    if case.outcome == "payload-error" {
        match &result {
            Err(error) => {
                if error.failures.len() != 1 {
                    mismatches.push(format!("failures: {:?}", error.failures));
                }
                if statuses(&result) != [("-".to_owned(), "failed".to_owned())] {
                    mismatches.push(format!("statuses: {:?}", statuses(&result)));
                }
            }
            Ok(summary) => mismatches.push(format!("succeeded: {summary:?}")),
        }
        if !handler.handled().is_empty() {
            mismatches.push(format!("handled: {:?}", handler.handled()));
        }
        return mismatches;
    }

    // Statuses, record by record.
    let expected: Vec<(String, String)> = case
        .records
        .iter()
        .map(|record| (record.id.clone(), record.status.clone()))
        .collect();
    if statuses(&result) != expected {
        mismatches.push(format!(
            "statuses: found {:?}, expected {expected:?}",
            statuses(&result)
        ));
    }

    // The handler saw every record of the route, and nothing else.
    let expected_handled: Vec<String> = case
        .records
        .iter()
        .filter(|record| record.status == "handled")
        .map(|record| record.id.clone())
        .collect();
    if handler.handled() != expected_handled {
        mismatches.push(format!(
            "handled: found {:?}, expected {expected_handled:?}",
            handler.handled()
        ));
    }

    // The invocation fails exactly when a record failed, naming each failed record.
    let expected_failed: Vec<&ExpectedRecord> = case
        .records
        .iter()
        .filter(|record| record.status == "failed")
        .collect();
    match (&result, expected_failed.is_empty()) {
        (Ok(_), true) => {}
        (Ok(_), false) => mismatches.push("succeeded, expected to fail".to_owned()),
        (Err(error), true) => mismatches.push(format!("failed: {error}")),
        (Err(error), false) => {
            if error.failures.len() != expected_failed.len() {
                mismatches.push(format!("failures: {:?}", error.failures));
            }
            for (failure, record) in error.failures.iter().zip(&expected_failed) {
                if !failure.contains(&record.id) {
                    mismatches.push(format!("failure {failure:?} does not name {}", record.id));
                }
            }
            if error.total != case.records.len() {
                mismatches.push(format!("total: {}", error.total));
            }
        }
    }
    mismatches
}

#[test]
fn corpus_records_are_each_accounted_for() {
    let mut failures = Vec::new();
    let cases = cases();
    for case in &cases {
        // A panic is reported with its file, and the other cases still run.
        let mismatches = catch_unwind(AssertUnwindSafe(|| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("tokio runtime")
                .block_on(run_case(case))
        }))
        .unwrap_or_else(|_| vec!["panicked".to_owned()]);
        for mismatch in mismatches {
            failures.push(format!("{}: {mismatch}", case.file));
        }
    }
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn sns_record(message_id: &str, rds_message: &Value) -> Value {
    json!({
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:rds-events:21be56ed",
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:rds-events",
            "Subject": "RDS Notification Message",
            "Message": rds_message.to_string(),
            "Timestamp": "2026-12-04T03:14:53.020Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
            "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
            "MessageAttributes": {}
        }
    })
}

fn backup_finished(source_id: &str) -> Value {
    json!({
        "Event Source": "db-instance",
        "Event Time": "2026-12-04 03:14:52.117",
        "Source ID": source_id,
        "Event ID": "http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#RDS-EVENT-0002",
        "Event Message": "Finished DB Instance backup"
    })
}

#[tokio::test]
async fn handler_failure_does_not_hide_other_records() {
    let payload = json!({
        "Records": [
            sns_record("m-1", &backup_finished("orders-db")),
            sns_record("m-2", &backup_finished("billing-db")),
            sns_record("m-3", &json!("not an object")),
            sns_record("m-4", &backup_finished("audit-db")),
        ]
    });
    let handler = CountingHandler::failing(&["m-2"]);

    let error = process(&payload, &handler)
        .await
        .expect_err("two records fail");

    assert_eq!(handler.handled(), ["m-1", "m-2", "m-4"]);
    assert_eq!(error.total, 4);
    assert_eq!(error.failures.len(), 2);
    assert!(
        error.failures[0].starts_with("SNS message m-2: publish failed (test)"),
        "{}",
        error.failures[0]
    );
    assert!(
        error.failures[1].starts_with("SNS message m-3: field \"Message\""),
        "{}",
        error.failures[1]
    );
    let statuses: Vec<&str> = error
        .summary
        .records
        .iter()
        .map(|record| record.status)
        .collect();
    assert_eq!(statuses, ["handled", "failed", "failed", "handled"]);
}

#[tokio::test]
async fn invocation_error_names_every_failure() {
    let payload = json!({
        "Records": [
            sns_record("m-1", &json!({})),
            sns_record("m-2", &backup_finished("orders-db")),
        ]
    });
    let handler = CountingHandler::default();

    let error = process(&payload, &handler)
        .await
        .expect_err("the first record fails");

    assert_eq!(handler.handled(), ["m-2"]);
    let text = error.to_string();
    assert!(
        text.starts_with("1 of 2 records failed: SNS message m-1: field \"Event ID\": missing"),
        "{text}"
    );
}
