//! Helpers for integration tests against moto's server: clients aimed at it, a notification
//! topic with an SQS queue subscribed, and the messages that arrive.
//!
//! Nothing here picks an endpoint: the tests run under `scripts/with-moto`, which exports
//! `AWS_ENDPOINT_URL` (loopback), a region and fake credentials.

use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use serde_json::Value;

/// Loads the SDK configuration for a test, after checking that it points at loopback.
///
/// # Panics
/// Panics when `AWS_ENDPOINT_URL` is unset or not on 127.0.0.1, or when
/// `AWS_EC2_METADATA_DISABLED` is not `true`, so that no test can reach a real AWS endpoint
/// or the instance metadata address.
pub async fn sdk_config() -> SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!("AWS_ENDPOINT_URL is unset: run the tests under scripts/with-moto (make test)")
    });
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "AWS_ENDPOINT_URL={endpoint} is not moto's server on loopback; run under scripts/with-moto"
    );
    assert_eq!(
        std::env::var("AWS_EC2_METADATA_DISABLED").as_deref(),
        Ok("true"),
        "AWS_EC2_METADATA_DISABLED must be true; run under scripts/with-moto"
    );
    crate::aws::load_sdk_config().await
}

/// Returns a name unique to this process and call, for resources in a shared moto server.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A notification topic with an SQS queue subscribed with raw message delivery off, so each
/// queue message is the SNS envelope with `Subject`, `Message` and `MessageAttributes`.
#[derive(Debug, Clone)]
pub struct TopicWithQueue {
    /// The topic's ARN.
    pub topic_arn: String,
    /// The queue's URL.
    pub queue_url: String,
    sqs: aws_sdk_sqs::Client,
}

/// A notification as it arrived on the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedNotification {
    /// The SNS subject.
    pub subject: String,
    /// The SNS message body.
    pub message: String,
    /// The message attributes, by name, with their string values.
    pub attributes: Value,
}

impl TopicWithQueue {
    /// Creates a topic and a queue with unique names and subscribes the queue.
    ///
    /// # Panics
    /// Panics when moto's server rejects a call.
    pub async fn create(config: &SdkConfig, prefix: &str) -> TopicWithQueue {
        let sns = aws_sdk_sns::Client::new(config);
        let sqs = aws_sdk_sqs::Client::new(config);
        let name = unique_name(prefix);
        let topic_arn = sns
            .create_topic()
            .name(&name)
            .send()
            .await
            .expect("create topic")
            .topic_arn
            .expect("topic ARN");
        let queue_url = sqs
            .create_queue()
            .queue_name(&name)
            .send()
            .await
            .expect("create queue")
            .queue_url
            .expect("queue URL");
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes")
            .attributes
            .and_then(|mut attributes| {
                attributes.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            })
            .expect("queue ARN");
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .send()
            .await
            .expect("subscribe");
        TopicWithQueue {
            topic_arn,
            queue_url,
            sqs,
        }
    }

    /// Receives notifications until `expected` have arrived or `wait` has passed, then
    /// returns what arrived.
    ///
    /// # Panics
    /// Panics when moto's server rejects a call or a message is not an SNS envelope.
    pub async fn receive(&self, expected: usize, wait: Duration) -> Vec<ReceivedNotification> {
        let deadline = Instant::now() + wait;
        let mut received = Vec::new();
        while received.len() < expected && Instant::now() < deadline {
            let output = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .send()
                .await
                .expect("receive message");
            let messages = output.messages.unwrap_or_default();
            if messages.is_empty() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            for message in messages {
                let body: Value =
                    serde_json::from_str(message.body().unwrap_or_default()).expect("SNS envelope");
                let attributes = body["MessageAttributes"].as_object().map_or_else(
                    || Value::Object(Default::default()),
                    |attributes| {
                        attributes
                            .iter()
                            .map(|(name, value)| (name.clone(), value["Value"].clone()))
                            .collect()
                    },
                );
                received.push(ReceivedNotification {
                    subject: body["Subject"].as_str().unwrap_or_default().to_owned(),
                    message: body["Message"].as_str().unwrap_or_default().to_owned(),
                    attributes,
                });
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("delete message");
                }
            }
        }
        received
    }
}
