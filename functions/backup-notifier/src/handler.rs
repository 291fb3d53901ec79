//! The handler of backup-notifier: one event in, one notification out.

use aws_config::{Region, SdkConfig};
use chrono::{DateTime, Utc};
use rds_events::route::{BACKUP_NOTIFIER, Route};
use rds_events::{RdsEvent, SourceType};
use rds_functions::notify::{NotificationMessage, Notifier, Severity};
use rds_functions::records::{Handler, HandlerError, Outcome, error_chain};
use tracing::{error, warn};

use crate::config::Config;
use crate::copy::{
    Copier, CopyError, CopyOutcome, CopyReport, is_copy_trigger, snapshot_unavailable,
};
use crate::database::{DatabaseKind, describe_database};
use crate::naming::SnapshotKind;
use crate::severity::severity_of;
use crate::snapshot::{DescribeError, SnapshotDetails, describe_snapshot};

/// The handler: describes the snapshot an event is about, copies finished snapshots to the
/// disaster-recovery Region when configured, and notifies.
#[derive(Debug, Clone)]
pub struct BackupNotifier {
    rds: aws_sdk_rds::Client,
    notifier: Notifier,
    copier: Option<Copier>,
    clock: fn() -> DateTime<Utc>,
}

impl BackupNotifier {
    /// Builds the handler and its SDK clients from one SDK configuration; the copies' client
    /// is the same configuration with the destination Region.
    pub fn new(sdk_config: &SdkConfig, config: Config) -> BackupNotifier {
        let rds = aws_sdk_rds::Client::new(sdk_config);
        let destination = match &config.copy {
            Some(copy) => aws_sdk_rds::Client::from_conf(
                aws_sdk_rds::config::Builder::from(sdk_config)
                    .region(Region::new(copy.region.clone()))
                    .build(),
            ),
            None => rds.clone(),
        };
        let sns = aws_sdk_sns::Client::new(sdk_config);
        BackupNotifier::from_clients(rds, destination, sns, config)
    }

    /// Builds the handler from clients: `rds` in the snapshots' Region, `destination` in
    /// `COPY_TO_REGION` (unused when copies are off).
    pub fn from_clients(
        rds: aws_sdk_rds::Client,
        destination: aws_sdk_rds::Client,
        sns: aws_sdk_sns::Client,
        config: Config,
    ) -> BackupNotifier {
        let copier = config
            .copy
            .map(|settings| Copier::new(rds.clone(), destination, settings));
        BackupNotifier {
            rds,
            notifier: Notifier::new(sns, config.notification_topic_arn, config.format),
            copier,
            clock: Utc::now,
        }
    }

    /// Replaces the clock that retention measures the age of copies against.
    #[must_use]
    pub fn with_clock(mut self, clock: fn() -> DateTime<Utc>) -> BackupNotifier {
        self.clock = clock;
        self
    }

    /// Returns the lines on how far back the database behind a failure can be restored.
    async fn recovery_lines(
        &self,
        event: &RdsEvent,
        snapshot: Option<&SnapshotDetails>,
    ) -> Vec<String> {
        let database = match (&event.source_type, snapshot) {
            (SourceType::DbInstance, _) => Some((DatabaseKind::Instance, event.source_id.clone())),
            (SourceType::DbCluster, _) => Some((DatabaseKind::Cluster, event.source_id.clone())),
            (_, Some(snapshot)) => snapshot.database_id.clone().map(|id| {
                let kind = match snapshot.kind {
                    SnapshotKind::Db => DatabaseKind::Instance,
                    SnapshotKind::Cluster => DatabaseKind::Cluster,
                };
                (kind, id)
            }),
            _ => None,
        };
        let Some((kind, identifier)) = database else {
            return vec![
                "Database details: unavailable (the snapshot, and so its database, is unknown)"
                    .to_owned(),
            ];
        };
        match describe_database(&self.rds, kind, &identifier).await {
            Ok(details) => details.lines(),
            Err(err) => {
                let reason = error_chain(&err);
                warn!(event_id = %event.event_id, source_id = %event.source_id, database = %identifier, error = %reason, "database details unavailable");
                vec![format!("Database details: unavailable ({reason})")]
            }
        }
    }

    /// Copies the event's snapshot when copies are on and the event is a finished snapshot.
    async fn copy(
        &self,
        event: &RdsEvent,
        described: &Result<Option<SnapshotDetails>, DescribeError>,
    ) -> Option<(&str, Result<CopyReport, CopyError>)> {
        let copier = self.copier.as_ref().filter(|_| is_copy_trigger(event))?;
        let region = copier.region();
        let result = match described {
            Ok(Some(snapshot)) => copier.copy(snapshot, (self.clock)()).await,
            Ok(None) => Ok(CopyReport::new(
                region,
                CopyOutcome::Skipped {
                    reason: "the event names no snapshot".to_owned(),
                },
            )),
            // A snapshot that does not exist cannot be copied on a retry either.
            Err(err) if err.is_not_found() => Ok(CopyReport::new(
                region,
                CopyOutcome::Skipped {
                    reason: error_chain(err),
                },
            )),
            Err(err) => Err(snapshot_unavailable(err)),
        };
        Some((region, result))
    }
}

impl Handler for BackupNotifier {
    fn route(&self) -> &'static Route {
        &BACKUP_NOTIFIER
    }

    /// Notifies about the event, with the snapshot's details when there is a snapshot to
    /// describe, and the database's backup state for a failure. A failed describe does not
    /// stop the notification, which names what is missing.
    ///
    /// With copies on, a finished snapshot is copied first, so the notification says what
    /// happened to the copy. A configuration error makes the notification critical but does
    /// not fail the record, because a retry cannot fix it. A copy that a retry may fix (a
    /// quota reached, a snapshot not ready, a failed call) is notified and then fails the
    /// record, so Lambda retries the event and its on-failure destination keeps it; each
    /// retry sends its own notification. A failed publish fails the record too.
    async fn handle(&self, event: &RdsEvent) -> Result<Outcome, HandlerError> {
        let mut title = format!(
            "RDS {}: {}",
            event.source_id,
            event.message.trim_end_matches('.')
        );
        let mut severity = severity_of(event);
        let mut lines = Vec::new();
        let mut action = "notified";

        // Describe the snapshot, if the event is about one.
        let described = describe_snapshot(&self.rds, event).await;
        let snapshot = match &described {
            Ok(snapshot) => snapshot.as_ref(),
            Err(err) => {
                let reason = error_chain(err);
                warn!(event_id = %event.event_id, source_id = %event.source_id, error = %reason, "snapshot details unavailable");
                lines.push(format!("Snapshot details: unavailable ({reason})"));
                action = "notified-without-snapshot-details";
                None
            }
        };
        if let Some(snapshot) = snapshot {
            lines.extend(snapshot.lines());
        }

        // For a failure, how far back the database can be restored.
        if severity == Severity::Critical {
            lines.extend(self.recovery_lines(event, snapshot).await);
        }

        // Copy a finished snapshot to the disaster-recovery Region.
        let mut retry_error = None;
        if let Some((region, result)) = self.copy(event, &described).await {
            match result {
                Ok(report) => {
                    action = report.action();
                    if let CopyOutcome::ConfigurationError { problem } = &report.outcome {
                        error!(event_id = %event.event_id, source_id = %event.source_id, region = %region, action, error = %problem, "snapshot not copied: configuration error");
                        severity = Severity::Critical;
                        title = format!(
                            "RDS {}: not copied to {region}: configuration error",
                            event.source_id
                        );
                    }
                    lines.extend(report.lines());
                }
                Err(err) => {
                    lines.push(format!(
                        "Copy to {region}: failed: {}; Lambda retries the event, then keeps it on the on-failure destination",
                        error_chain(&err)
                    ));
                    severity = severity.max(Severity::Warning);
                    title = format!(
                        "RDS {}: copy to {region} failed, to be retried",
                        event.source_id
                    );
                    retry_error = Some(err);
                }
            }
        }

        lines.push("Action: notification sent by backup-notifier".to_owned());
        let mut message = NotificationMessage::for_event(event, title, severity);
        message.lines.extend(lines);
        let notification_id = self.notifier.publish(&message).await?;

        // The records loop logs the failure once, with the event's identifiers.
        if let Some(err) = retry_error {
            return Err(Box::new(err));
        }
        Ok(Outcome::new(action, Some(notification_id)))
    }
}
