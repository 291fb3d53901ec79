//! Delivery of notifications through SNS.

use aws_sdk_sns::types::MessageAttributeValue;
use serde_json::json;

use super::{Format, NotificationMessage};

/// A failed publish to the notification topic.
#[derive(Debug, thiserror::Error)]
#[error("publish to SNS topic {topic_arn} failed")]
pub struct PublishError {
    /// The topic.
    pub topic_arn: String,
    /// The SDK's error.
    #[source]
    pub source: aws_sdk_sns::Error,
}

/// Publishes notifications to one SNS topic in one format.
#[derive(Debug, Clone)]
pub struct Notifier {
    client: aws_sdk_sns::Client,
    topic_arn: String,
    format: Format,
}

impl Notifier {
    /// Creates a notifier for a topic.
    pub fn new(
        client: aws_sdk_sns::Client,
        topic_arn: impl Into<String>,
        format: Format,
    ) -> Notifier {
        Notifier {
            client,
            topic_arn: topic_arn.into(),
            format,
        }
    }

    /// Returns the topic ARN.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// Publishes a notification and returns the SNS message ID.
    ///
    /// # Errors
    /// Returns an error when SNS rejects the publish or cannot be reached after the SDK's
    /// retries. The caller then fails the invocation, so that Lambda retries it.
    pub async fn publish(&self, message: &NotificationMessage) -> Result<String, PublishError> {
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(message.subject())
            .message(message.body(self.format));
        for (name, value) in attributes(message) {
            request = request.message_attributes(name, value);
        }
        let output = request.send().await.map_err(|err| PublishError {
            topic_arn: self.topic_arn.clone(),
            source: err.into(),
        })?;
        Ok(output.message_id().unwrap_or_default().to_owned())
    }
}

/// Returns the SNS message attributes of a notification, so subscribers can filter on them.
fn attributes(message: &NotificationMessage) -> Vec<(&'static str, MessageAttributeValue)> {
    let string = |value: &str| {
        MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
    };
    let categories = MessageAttributeValue::builder()
        .data_type("String.Array")
        .string_value(json!(message.categories).to_string())
        .build();
    [
        ("EventID", string(&message.event_id)),
        ("SourceId", string(&message.source_id)),
        ("SourceType", string(&message.source_type)),
        ("Category", categories),
        ("Severity", string(message.severity.as_str())),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.ok().map(|value| (name, value)))
    .collect()
}
