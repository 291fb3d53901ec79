//! What the tests share: a notifying handler, sample events and SNS clients.

use aws_config::SdkConfig;
use rds_events::RdsEvent;
use rds_events::route::{BACKUP_NOTIFIER, Route};
use rds_functions::notify::{Format, NotificationMessage, Notifier, Severity};
use rds_functions::records::{Handler, HandlerError, Outcome};
use serde_json::Value;

/// A handler of the backup-notifier route that publishes one notification per event, built
/// as the functions build theirs.
pub(crate) struct NotifyingHandler {
    notifier: Notifier,
}

impl NotifyingHandler {
    pub(crate) fn new(sns: aws_sdk_sns::Client, topic_arn: &str) -> NotifyingHandler {
        NotifyingHandler {
            notifier: Notifier::new(sns, topic_arn, Format::Text),
        }
    }
}

impl Handler for NotifyingHandler {
    fn route(&self) -> &'static Route {
        &BACKUP_NOTIFIER
    }

    async fn handle(&self, event: &RdsEvent) -> Result<Outcome, HandlerError> {
        let title = format!(
            "RDS {}: {}",
            event.source_id,
            event.message.trim_end_matches('.')
        );
        let mut message = NotificationMessage::for_event(event, title, Severity::Info);
        message
            .lines
            .push("Action: notification sent by the rds-functions tests".to_owned());
        let notification_id = self.notifier.publish(&message).await?;
        Ok(Outcome::new("notified", Some(notification_id)))
    }
}

/// Reads a sample payload from `events/`.
pub(crate) fn sample(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// Returns an SNS client with the functions' SDK configuration, aimed at `endpoint_url`.
pub(crate) fn sns_client(config: &SdkConfig, endpoint_url: &str) -> aws_sdk_sns::Client {
    let sns_config = aws_sdk_sns::config::Builder::from(config)
        .endpoint_url(endpoint_url)
        .build();
    aws_sdk_sns::Client::from_conf(sns_config)
}
