//! What the logs give away: the per-record loop runs against moto's server with its JSON log
//! lines captured, as `rds_functions::telemetry::init` formats them, and the test looks for
//! identifiers that must be there and for contents and credentials that must not.
//!
//! N.B. This is a test binary of its own with one test. tracing caches each callsite's
//! interest for the whole process, computed on the thread that first reaches it. A sibling
//! test thread without a subscriber would cache "never" and blind the capture.
//!
//! Run under `scripts/with-moto` (`make test`).

use std::io;
use std::sync::{Arc, Mutex};

use aws_sdk_sns::config::Credentials;
use rds_functions::records::process;
use rds_functions::testing::{TopicWithQueue, sdk_config};
use serde_json::Value;
use tracing_subscriber::EnvFilter;

#[path = "moto/support.rs"]
mod support;

use support::{NotifyingHandler, sample, sns_client};

// Values that must never reach a log line. Each is distinctive, so no other text matches.
const ACCESS_KEY_ID: &str = "AKIALOGCANARY7EXAMPLE";
const SECRET_ACCESS_KEY: &str = "secret-canary/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "session-token-canary-FwoGZXIvYXdzEJr";
const SNS_SIGNATURE: &str = "sns-signature-canary-tcc6faL2yUC6dgZdmrwh1Y4cGa";
const MESSAGE_TAIL: &str = "message-tail-canary";

/// A log destination that appends to a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

/// Returns a payload of three records: a backup event with a known SNS signature, a
/// plain-text message whose tail must stay out of the logs, and an event outside the route.
fn payload() -> Value {
    let mut payload = sample("sns-backup-finished.json");
    payload["Records"][0]["Sns"]["Signature"] = Value::from(SNS_SIGNATURE);
    let mut plain_text = payload["Records"][0].clone();
    plain_text["Sns"]["MessageId"] = Value::from("7c0e9d1a-1111-4aaa-8bbb-0123456789ab");
    plain_text["Sns"]["Message"] = Value::from(format!(
        "A message that is not JSON, long enough to be cut in the log: {MESSAGE_TAIL}"
    ));
    let outside = sample("sns-outside-routes.json")["Records"][0].clone();
    let records = payload["Records"].as_array_mut().expect("Records");
    records.push(plain_text);
    records.push(outside);
    payload
}

/// Runs the loop over [`payload`] with logs at `level` and returns the log text.
async fn captured_logs(level: &str) -> String {
    let config = sdk_config().await;
    let topic = TopicWithQueue::create(&config, "log-notes").await;
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL");
    let credentials = Credentials::new(
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        Some(SESSION_TOKEN.to_owned()),
        None,
        "log test",
    );
    let sns = sns_client(&config, &endpoint);
    let sns_config = sns
        .config()
        .to_builder()
        .credentials_provider(credentials)
        .build();
    let handler =
        NotifyingHandler::new(aws_sdk_sns::Client::from_conf(sns_config), &topic.topic_arn);

    // The same format as telemetry::init, written to the buffer. The default subscriber is
    // per thread, and the test's runtime runs every task on this thread.
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::new(level))
        .with_target(false)
        .without_time()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let result = process(&payload(), &handler).await;
    drop(guard);

    let error = result.expect_err("the plain-text record fails");
    assert_eq!(error.failures.len(), 1);
    buffer.text()
}

fn lines(logs: &str) -> Vec<Value> {
    logs.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}")))
        .collect()
}

fn find<'a>(lines: &'a [Value], message: &str) -> &'a Value {
    lines
        .iter()
        .find(|line| line["message"] == message)
        .unwrap_or_else(|| panic!("no {message:?} line in {lines:#?}"))
}

/// Checks that no credential of the handler's client or of the environment is in the logs.
fn assert_no_credentials(logs: &str) {
    for secret in [SECRET_ACCESS_KEY, SESSION_TOKEN] {
        assert!(!logs.contains(secret), "{secret} is in the logs");
    }
    let secret_from_env = std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_default();
    if !secret_from_env.is_empty() {
        assert!(
            !logs.contains(&format!("\"{secret_from_env}\"")),
            "AWS_SECRET_ACCESS_KEY's value is in the logs"
        );
    }
}

/// Checks the info-level lines: one per record, with its IDs, and none of the contents.
fn assert_ids_not_contents(logs: &str) {
    let lines = lines(logs);

    let handled = find(&lines, "record handled");
    assert_eq!(
        handled["message_id"],
        "3f1c6a52-9b1e-5d0a-8c3e-0a6f2b1d4c01"
    );
    assert_eq!(handled["event_id"], "RDS-EVENT-0002");
    assert_eq!(handled["source_id"], "orders-db");
    assert_eq!(handled["action"], "notified");
    assert!(handled["duration_ms"].is_u64(), "{handled}");
    let rejected = find(&lines, "record rejected");
    assert_eq!(
        rejected["message_id"],
        "7c0e9d1a-1111-4aaa-8bbb-0123456789ab"
    );
    assert_eq!(rejected["field"], "Message");
    let skipped = find(
        &lines,
        "event outside this function's route skipped; check the subscription filter policy",
    );
    assert_eq!(skipped["event_id"], "RDS-EVENT-0087");

    for content in [
        "Finished DB Instance backup",
        "Identifier Link",
        "What happened:",
        MESSAGE_TAIL,
        SNS_SIGNATURE,
        ACCESS_KEY_ID,
        "Signature=",
        "Credential=",
    ] {
        assert!(
            !logs.contains(content),
            "{content:?} is in the logs:\n{logs}"
        );
    }
}

#[tokio::test]
async fn logs_carry_ids_not_contents_or_credentials() {
    let info = captured_logs("info").await;
    assert_ids_not_contents(&info);
    assert_no_credentials(&info);

    // Debug and trace lines, the SDK's included, show the access key ID and the canonical
    // request, but the SDK redacts the secret key and session token and logs no signature.
    let trace = captured_logs("trace").await;
    assert!(
        trace.lines().count() > 20,
        "expected the SDK's trace lines:\n{trace}"
    );
    assert_no_credentials(&trace);
    assert!(!trace.contains("Signature="), "{trace}");
}
