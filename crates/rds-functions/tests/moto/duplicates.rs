//! Duplicate deliveries: SNS and Lambda deliver at least once, so the same event can come
//! again with the same SNS message ID (a retry) or with a new one (RDS or SNS sending it
//! twice). Either way a function sends at most a repeated notification of the same content.

use std::time::Duration;

use rds_functions::records::{Summary, process};
use rds_functions::testing::{ReceivedNotification, TopicWithQueue, sdk_config};
use serde_json::Value;

use crate::support::{NotifyingHandler, sample, sns_client};

/// Handles each payload in turn with one handler and returns the summaries and every
/// notification that arrived.
async fn handle_in_turn(payloads: &[Value]) -> (Vec<Summary>, Vec<ReceivedNotification>) {
    let config = sdk_config().await;
    let topic = TopicWithQueue::create(&config, "duplicate-notes").await;
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL");
    let handler = NotifyingHandler::new(sns_client(&config, &endpoint), &topic.topic_arn);

    let mut summaries = Vec::new();
    for payload in payloads {
        summaries.push(process(payload, &handler).await.expect("handled"));
    }
    // Wait for one more than expected, so that an extra notification would show.
    let notifications = topic
        .receive(payloads.len() + 1, Duration::from_secs(5))
        .await;
    (summaries, notifications)
}

/// Returns the summary without the notification IDs, which differ from publish to publish.
fn without_notification_ids(summary: &Summary) -> Summary {
    let mut summary = summary.clone();
    for record in &mut summary.records {
        record.notification_id = None;
    }
    summary
}

#[tokio::test]
async fn same_delivery_twice_repeats_notification() {
    let payload = sample("sns-backup-finished.json");

    let (summaries, notifications) = handle_in_turn(&[payload.clone(), payload]).await;

    assert_eq!(notifications.len(), 2);
    assert_eq!(notifications[0], notifications[1]);
    assert_eq!(
        without_notification_ids(&summaries[0]),
        without_notification_ids(&summaries[1])
    );
    assert_eq!(summaries[0].records[0].status, "handled");
}

#[tokio::test]
async fn new_message_id_repeats_notification() {
    let first = sample("sns-snapshot-created.json");
    let mut second = first.clone();
    second["Records"][0]["Sns"]["MessageId"] = Value::from("0d5a3f4e-2b1c-5a9d-8e7f-6c5b4a3d2e1f");
    second["Records"][0]["Sns"]["Timestamp"] = Value::from("2026-12-04T03:19:53.020Z");

    let (summaries, notifications) = handle_in_turn(&[first, second]).await;

    assert_eq!(notifications.len(), 2);
    assert_eq!(notifications[0].subject, notifications[1].subject);
    assert_eq!(notifications[0].message, notifications[1].message);
    assert_eq!(notifications[0].attributes, notifications[1].attributes);
    assert_eq!(
        summaries[1].records[0].id,
        "0d5a3f4e-2b1c-5a9d-8e7f-6c5b4a3d2e1f"
    );
    assert_eq!(summaries[1].records[0].status, "handled");
}
