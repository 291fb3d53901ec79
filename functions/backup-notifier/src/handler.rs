//! What backup-notifier does with one event.

use aws_config::SdkConfig;
use rds_events::route::{BACKUP_NOTIFIER, Route};
use rds_events::{Category, RdsEvent};
use rds_functions::notify::{NotificationMessage, Notifier, Severity};
use rds_functions::records::{Handler, HandlerError, Outcome, error_chain};
use tracing::warn;

use crate::config::Config;
use crate::snapshot::{CANCELLED, FAILED_WITHOUT_FAILURE_CATEGORY, describe_snapshot};

/// The handler: describes the snapshot an event is about and notifies.
#[derive(Debug, Clone)]
pub struct BackupNotifier {
    rds: aws_sdk_rds::Client,
    notifier: Notifier,
}

impl BackupNotifier {
    /// Builds the handler and its SDK clients from one SDK configuration.
    pub fn new(sdk_config: &SdkConfig, config: Config) -> BackupNotifier {
        let sns = aws_sdk_sns::Client::new(sdk_config);
        BackupNotifier {
            rds: aws_sdk_rds::Client::new(sdk_config),
            notifier: Notifier::new(sns, config.notification_topic_arn, config.format),
        }
    }
}

/// Returns how urgent a backup event is: failures are critical; cancellations and
/// deletions are warnings; the rest is informational.
pub fn severity_of(event: &RdsEvent) -> Severity {
    let categories = event.categories();
    if categories.contains(&Category::Failure)
        || FAILED_WITHOUT_FAILURE_CATEGORY.contains(&event.event_id)
    {
        Severity::Critical
    } else if categories.contains(&Category::Deletion) || CANCELLED.contains(&event.event_id) {
        Severity::Warning
    } else {
        Severity::Info
    }
}

impl Handler for BackupNotifier {
    fn route(&self) -> &'static Route {
        &BACKUP_NOTIFIER
    }

    /// Notifies about the event, with the snapshot's details when there is a finished
    /// snapshot to describe. A failed describe does not stop the notification: it says what
    /// is missing. A failed publish fails the record, so Lambda retries the invocation.
    async fn handle(&self, event: &RdsEvent) -> Result<Outcome, HandlerError> {
        let title = format!(
            "RDS {}: {}",
            event.source_id,
            event.message.trim_end_matches('.')
        );
        let mut message = NotificationMessage::for_event(event, title, severity_of(event));

        // Describe the snapshot, if the event is about one.
        let mut action = "notified";
        match describe_snapshot(&self.rds, event).await {
            Ok(Some(details)) => message.lines.extend(details.lines()),
            Ok(None) => {}
            Err(err) => {
                let reason = error_chain(&err);
                warn!(event_id = %event.event_id, source_id = %event.source_id, error = %reason, "snapshot details unavailable");
                message
                    .lines
                    .push(format!("Snapshot details: unavailable ({reason})"));
                action = "notified-without-snapshot-details";
            }
        }

        message
            .lines
            .push("Action: notification sent by backup-notifier".to_owned());
        let notification_id = self.notifier.publish(&message).await?;
        Ok(Outcome::new(action, Some(notification_id)))
    }
}
