//! SNS faults that moto cannot produce, injected by the proxy. The SDK's standard retry, as
//! `rds_functions::aws::load_sdk_config` sets it (3 attempts, 3 s per attempt, 8 s per
//! call), must ride out transient faults well inside the 30-second function timeout. A
//! lasting fault must fail the record, naming the call, so that Lambda retries the event.

use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use rds_functions::aws::{ATTEMPT_TIMEOUT, MAX_ATTEMPTS, OPERATION_TIMEOUT};
use rds_functions::records::{InvocationError, Summary, process};
use rds_functions::testing::{ReceivedNotification, TopicWithQueue, sdk_config};
use serde_json::Value;

use crate::proxy::{
    AUTHORIZATION_ERROR, Fault, INTERNAL_ERROR, KMS_THROTTLING, Proxy, SERVICE_UNAVAILABLE,
    THROTTLING, moto_address,
};
use crate::support::{NotifyingHandler, sample, sns_client};

/// The bound on every invocation here: half the function timeout, generous for two cores.
const INVOCATION_LIMIT: Duration = Duration::from_secs(15);

/// How long a test waits for notifications on the queue.
const QUEUE_WAIT: Duration = Duration::from_secs(5);

/// One invocation through the proxy, and what came of it.
struct Run {
    result: Result<Summary, InvocationError>,
    elapsed: Duration,
    attempts: usize,
    topic: TopicWithQueue,
}

impl Run {
    fn error(&self) -> &InvocationError {
        match &self.result {
            Ok(summary) => panic!("expected the invocation to fail: {summary:?}"),
            Err(error) => error,
        }
    }

    async fn notifications(&self, expected: usize) -> Vec<ReceivedNotification> {
        self.topic.receive(expected, QUEUE_WAIT).await
    }
}

/// Invokes the notifying handler with `payload`, its SNS client aimed at a proxy that applies
/// `script` to the first attempts and `rest` to the others.
async fn invoke(script: Vec<Fault>, rest: Fault, payload: &Value) -> Run {
    let config = sdk_config().await;
    let topic = TopicWithQueue::create(&config, "fault-notes").await;
    let proxy = Proxy::start(script, rest, moto_address()).await;
    let handler = NotifyingHandler::new(sns_client(&config, &proxy.url()), &topic.topic_arn);

    let started = Instant::now();
    // A second, outer bound: a hang here fails the test instead of stalling the run.
    let result = tokio::time::timeout(Duration::from_secs(30), process(payload, &handler))
        .await
        .expect("the invocation ended within 30 s");
    let run = Run {
        result,
        elapsed: started.elapsed(),
        attempts: proxy.attempts(),
        topic,
    };
    // Shown with --nocapture, to read off the retry timings.
    eprintln!(
        "{} attempts in {:?}: {:?}",
        run.attempts,
        run.elapsed,
        run.result.as_ref().map_err(|error| &error.failures)
    );
    run
}

/// Checks that the faults of `script`, then success, cost one attempt each and end in one
/// notification.
async fn assert_recovers(script: Vec<Fault>) -> Run {
    let faults = script.len();
    let run = invoke(script, Fault::Forward, &sample("sns-backup-finished.json")).await;

    assert!(run.result.is_ok(), "{:?}", run.result);
    assert_eq!(run.attempts, faults + 1);
    assert!(
        run.elapsed < INVOCATION_LIMIT,
        "took {:?} for {faults} faults",
        run.elapsed
    );
    let notifications = run.notifications(1).await;
    assert_eq!(notifications.len(), 1);
    assert!(
        notifications[0].message.contains("orders-db"),
        "{}",
        notifications[0].message
    );
    run
}

/// Checks that a lasting fault fails the one record after `attempts`, naming the publish and
/// `cause`.
async fn assert_fails_record(rest: Fault, attempts: RangeInclusive<usize>, cause: &str) -> Run {
    let payload = sample("sns-backup-finished.json");
    let run = invoke(Vec::new(), rest, &payload).await;

    let error = run.error();
    assert!(
        attempts.contains(&run.attempts),
        "{} attempts",
        run.attempts
    );
    assert!(run.elapsed < INVOCATION_LIMIT, "took {:?}", run.elapsed);
    assert_eq!(error.failures.len(), 1);
    let failure = &error.failures[0];
    let message_id = payload["Records"][0]["Sns"]["MessageId"]
        .as_str()
        .expect("sample message ID");
    assert!(
        failure.starts_with(&format!("SNS message {message_id}: ")),
        "{failure}"
    );
    assert!(
        failure.contains(&format!(
            "publish to SNS topic {} failed: ",
            run.topic.topic_arn
        )),
        "{failure}"
    );
    assert!(failure.contains(cause), "{failure}");
    assert!(run.notifications(1).await.is_empty());
    run
}

#[tokio::test]
async fn service_unavailable_twice_is_retried() {
    assert_recovers(vec![SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE]).await;
}

#[tokio::test]
async fn internal_error_is_retried() {
    assert_recovers(vec![INTERNAL_ERROR]).await;
}

#[tokio::test]
async fn throttling_twice_is_retried() {
    assert_recovers(vec![THROTTLING, THROTTLING]).await;
}

#[tokio::test]
async fn connection_reset_is_retried() {
    assert_recovers(vec![Fault::Reset, SERVICE_UNAVAILABLE]).await;
}

#[tokio::test]
async fn hung_attempt_times_out_and_is_retried() {
    let run = assert_recovers(vec![Fault::Hang]).await;

    assert!(
        run.elapsed >= ATTEMPT_TIMEOUT,
        "the retry came after {:?}, before the attempt timeout",
        run.elapsed
    );
}

#[tokio::test]
async fn lasting_service_unavailable_fails_record() {
    let max_attempts = usize::try_from(MAX_ATTEMPTS).expect("small number");

    assert_fails_record(
        SERVICE_UNAVAILABLE,
        max_attempts..=max_attempts,
        "ServiceUnavailable",
    )
    .await;
}

#[tokio::test]
async fn lasting_reset_fails_record() {
    let max_attempts = usize::try_from(MAX_ATTEMPTS).expect("small number");

    assert_fails_record(
        Fault::Reset,
        max_attempts..=max_attempts,
        "dispatch failure",
    )
    .await;
}

#[tokio::test]
async fn lasting_hang_fails_record_at_operation_timeout() {
    // Two attempts time out after 3 s each; the jittered backoff decides whether a third
    // starts before the 8-second operation timeout ends the call.
    let run = assert_fails_record(Fault::Hang, 2..=3, "timeout").await;

    assert!(
        run.elapsed >= OPERATION_TIMEOUT - Duration::from_millis(100),
        "failed after {:?}, before the operation timeout",
        run.elapsed
    );
}

#[tokio::test]
async fn authorization_error_is_not_retried() {
    assert_fails_record(AUTHORIZATION_ERROR, 1..=1, "AuthorizationError").await;
}

#[tokio::test]
async fn kms_throttling_is_not_retried() {
    // The SNS model does not mark KMSThrottlingException retryable, and the SDK's list of
    // throttling codes lacks it, so only Lambda's retry of the invocation repeats the call.
    assert_fails_record(KMS_THROTTLING, 1..=1, "KMSThrottling").await;
}

#[tokio::test]
async fn lasting_fault_fails_only_its_record() {
    let mut payload = sample("sns-backup-finished.json");
    let second = sample("sns-snapshot-created.json")["Records"][0].clone();
    payload["Records"]
        .as_array_mut()
        .expect("Records")
        .push(second);
    let script = vec![SERVICE_UNAVAILABLE; 3];

    let run = invoke(script, Fault::Forward, &payload).await;

    let error = run.error();
    assert_eq!(run.attempts, 4);
    assert!(run.elapsed < INVOCATION_LIMIT, "took {:?}", run.elapsed);
    assert_eq!(error.failures.len(), 1);
    let statuses: Vec<&str> = error
        .summary
        .records
        .iter()
        .map(|record| record.status)
        .collect();
    assert_eq!(statuses, ["failed", "handled"]);
    let notifications = run.notifications(2).await;
    assert_eq!(notifications.len(), 1);
    assert!(
        notifications[0]
            .message
            .contains("orders-db-before-upgrade"),
        "{}",
        notifications[0].message
    );
}

#[tokio::test]
async fn lost_response_repeats_the_notification() {
    // SNS published, but the response never reached the client, so the SDK publishes again.
    let run = invoke(
        vec![Fault::ForwardThenReset],
        Fault::Forward,
        &sample("sns-backup-finished.json"),
    )
    .await;

    assert!(run.result.is_ok(), "{:?}", run.result);
    assert_eq!(run.attempts, 2);
    let notifications = run.notifications(3).await;
    assert_eq!(notifications.len(), 2, "a repeated notification, no more");
    assert_eq!(notifications[0], notifications[1]);
}
