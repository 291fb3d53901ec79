//! Disaster-recovery copies of finished snapshots into another Region.
//!
//! A copy is made with a client of the destination Region, naming the source by its ARN.
//! Its identifier comes from the source's ([`crate::naming`]), so a second delivery of the
//! same event gets "already exists" from RDS, which counts as done once the existing copy's
//! tags show it is this function's copy of the same source.

use aws_sdk_rds::Client;
use aws_sdk_rds::error::ProvideErrorMetadata;
use chrono::{DateTime, TimeDelta, Utc};
use rds_events::{RdsEvent, SourceType};
use rds_functions::records::error_chain;

use crate::config::CopySettings;
use crate::database::{DatabaseKind, describe_database};
use crate::naming::{SnapshotKind, target_identifier};
use crate::retention::{RetentionReport, delete_expired_copies};
use crate::snapshot::{DescribeError, SnapshotDetails, tag_pairs};
use crate::tags::{
    COPIED_BY_KEY, COPIED_BY_VALUE, SOURCE_ARN_KEY, TagPlan, arn_part, source_arn_tag_value,
};

/// Returns true for the events of a finished snapshot worth a copy: a finished automated
/// backup (`RDS-EVENT-0002`, `RDS-EVENT-0091`, `RDS-EVENT-0169`) and a created manual snapshot
/// (`RDS-EVENT-0042`, `RDS-EVENT-0075`), of instances and of clusters.
///
/// Copy events (`RDS-EVENT-0060`, `RDS-EVENT-0197`) are left out, so a copy is never copied
/// again by a function that also runs in the destination Region.
pub fn is_copy_trigger(event: &RdsEvent) -> bool {
    matches!(
        (&event.source_type, event.event_id.number()),
        (SourceType::DbInstance, 2 | 75)
            | (SourceType::DbSnapshot, 42 | 91)
            | (SourceType::DbClusterSnapshot, 75 | 169)
    )
}

/// The result of copying one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyOutcome {
    /// RDS accepted the copy; it finishes in the background.
    Copied {
        /// The copy's identifier in the destination Region.
        target: String,
        /// The tags given to the copy, this function's own included.
        tags_copied: usize,
        /// Source tags not copied: reserved `aws:` keys, and those past RDS's limit of 50.
        tags_left_out: Vec<String>,
    },
    /// This function had copied the snapshot before.
    AlreadyCopied {
        /// The copy's identifier in the destination Region.
        target: String,
    },
    /// The snapshot is not to be copied.
    Skipped {
        /// Why not.
        reason: String,
    },
    /// The configuration does not allow the copy; a retry would fail the same way.
    ConfigurationError {
        /// The problem and the change that fixes it.
        problem: String,
    },
}

/// The copy of one snapshot and the retention that followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// The destination Region.
    pub region: String,
    /// The result of the copy.
    pub outcome: CopyOutcome,
    /// The result of retention, when `COPY_RETENTION_DAYS` is set and the copy exists.
    pub retention: Option<RetentionReport>,
}

impl CopyReport {
    /// Creates a report without retention.
    pub fn new(region: &str, outcome: CopyOutcome) -> CopyReport {
        CopyReport {
            region: region.to_owned(),
            outcome,
            retention: None,
        }
    }

    /// Returns the short, stable action name for the record's log line.
    pub fn action(&self) -> &'static str {
        match self.outcome {
            CopyOutcome::Copied { .. } => "copied",
            CopyOutcome::AlreadyCopied { .. } => "already-copied",
            CopyOutcome::Skipped { .. } => "copy-skipped",
            CopyOutcome::ConfigurationError { .. } => "copy-configuration-error",
        }
    }

    /// Returns the lines a notification shows.
    pub fn lines(&self) -> Vec<String> {
        let region = &self.region;
        let mut lines = Vec::new();
        match &self.outcome {
            CopyOutcome::Copied {
                target,
                tags_copied,
                tags_left_out,
            } => {
                lines.push(format!("Copy to {region}: started as {target}"));
                let mut tags = format!("Copy tags: {tags_copied}");
                if !tags_left_out.is_empty() {
                    tags.push_str(&format!("; left out: {}", tags_left_out.join(", ")));
                }
                lines.push(tags);
            }
            CopyOutcome::AlreadyCopied { target } => {
                lines.push(format!(
                    "Copy to {region}: already copied as {target}; nothing to do"
                ));
            }
            CopyOutcome::Skipped { reason } => {
                lines.push(format!("Copy to {region}: not copied: {reason}"));
            }
            CopyOutcome::ConfigurationError { problem } => {
                lines.push(format!(
                    "Copy to {region}: not copied, configuration error: {problem}"
                ));
            }
        }
        if let Some(retention) = &self.retention {
            lines.extend(retention.lines(region));
        }
        lines
    }
}

/// A copy that failed in a way a later retry may not: the record fails, so Lambda retries
/// the event and its on-failure destination keeps it when the retries fail too.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The source snapshot could not be described.
    #[error("snapshot could not be described: {reason}")]
    SnapshotUnavailable {
        /// The describe call's error.
        reason: String,
    },
    /// The database's tags, needed for `EXCLUDE_TAG`, could not be read.
    #[error("tags of database {database} could not be read for EXCLUDE_TAG")]
    DatabaseTags {
        /// The DB instance or cluster.
        database: String,
        /// The describe call's error.
        #[source]
        source: Box<DescribeError>,
    },
    /// RDS rejected the copy because the manual snapshot quota or the limit of copies in
    /// progress is reached.
    #[error(
        "RDS rejected the copy of {source_arn} to {region}: snapshot quota or concurrent copy limit reached ({message})"
    )]
    QuotaExceeded {
        /// The source snapshot.
        source_arn: String,
        /// The destination Region.
        region: String,
        /// RDS's message.
        message: String,
    },
    /// The source snapshot is not yet in a state RDS copies from.
    #[error("RDS cannot copy {source_arn} yet: {message}")]
    NotReady {
        /// The source snapshot.
        source_arn: String,
        /// RDS's message.
        message: String,
    },
    /// Any other failed call.
    #[error("{operation} in {region} failed")]
    Call {
        /// The RDS operation.
        operation: &'static str,
        /// The Region called.
        region: String,
        /// The SDK's error.
        #[source]
        source: Box<aws_sdk_rds::Error>,
    },
}

/// Copies finished snapshots to the destination Region and applies retention there.
#[derive(Debug, Clone)]
pub struct Copier {
    source: Client,
    destination: Client,
    settings: CopySettings,
}

impl Copier {
    /// Creates a copier from a client of the snapshots' Region and one of the destination.
    pub fn new(source: Client, destination: Client, settings: CopySettings) -> Copier {
        Copier {
            source,
            destination,
            settings,
        }
    }

    /// Returns the destination Region.
    pub fn region(&self) -> &str {
        &self.settings.region
    }

    /// Copies a snapshot unless the settings leave it out, then deletes this function's
    /// expired copies of the same database when `COPY_RETENTION_DAYS` is set.
    ///
    /// # Errors
    /// Returns an error when a retry may succeed: a quota reached, a snapshot not ready, or a
    /// failed call. Problems a retry cannot fix are [`CopyOutcome::ConfigurationError`].
    pub async fn copy(
        &self,
        snapshot: &SnapshotDetails,
        now: DateTime<Utc>,
    ) -> Result<CopyReport, CopyError> {
        let region = self.region();
        let report = |outcome| CopyReport::new(region, outcome);

        // Decide whether this snapshot is copied at all.
        if let Some(reason) = self.skip_reason(snapshot).await? {
            return Ok(report(CopyOutcome::Skipped { reason }));
        }
        let Some(source_arn) = snapshot.arn.clone() else {
            return Ok(report(CopyOutcome::Skipped {
                reason: format!(
                    "RDS returned no ARN for {}, and a copy to another Region names its source by ARN",
                    snapshot.identifier
                ),
            }));
        };
        if arn_part(&source_arn, 3) == Some(region) {
            return Ok(report(CopyOutcome::ConfigurationError {
                problem: format!(
                    "{source_arn} is in {region} already; set COPY_TO_REGION to another Region"
                ),
            }));
        }
        let encrypted = snapshot.encrypted == Some(true);
        if encrypted && self.settings.kms_key_id.is_none() {
            return Ok(report(CopyOutcome::ConfigurationError {
                problem: format!(
                    "snapshot {} is encrypted and COPY_KMS_KEY_ID is unset; set it to a KMS key in {region}",
                    snapshot.identifier
                ),
            }));
        }

        // Copy, or find the copy made by an earlier delivery.
        let target = target_identifier(&snapshot.identifier, snapshot.kind);
        let plan = TagPlan::new(&snapshot.tags, &source_arn);
        // The key goes only with an encrypted snapshot, so a copy keeps its source's
        // encryption: RDS rejects a key for an unencrypted cluster snapshot, and would
        // encrypt an unencrypted DB snapshot's copy with it.
        let kms_key_id = if encrypted {
            self.settings.kms_key_id.as_deref()
        } else {
            None
        };
        let call = self
            .start_copy(snapshot.kind, &source_arn, &target, &plan, kms_key_id)
            .await;
        let outcome = match call {
            CallResult::Started => CopyOutcome::Copied {
                target: target.clone(),
                tags_copied: plan.tags.len(),
                tags_left_out: plan.left_out.clone(),
            },
            CallResult::AlreadyExists => {
                self.check_existing_copy(snapshot.kind, &target, &source_arn)
                    .await?
            }
            CallResult::Rejected(rejection) => {
                return self.rejection_outcome(rejection, &source_arn).map(report);
            }
            CallResult::Failed(source) => {
                return Err(CopyError::Call {
                    operation: copy_operation(snapshot.kind),
                    region: region.to_owned(),
                    source: Box::new(source),
                });
            }
        };

        // Retention runs after the first delivery and again after a repeated one, so a
        // retention that failed once gets another try.
        let copy_exists = matches!(
            outcome,
            CopyOutcome::Copied { .. } | CopyOutcome::AlreadyCopied { .. }
        );
        let mut report = report(outcome);
        if let (true, Some(days), Some(database)) = (
            copy_exists,
            self.settings.retention_days,
            snapshot.database_id.as_deref(),
        ) {
            let cutoff = now - TimeDelta::days(i64::from(days));
            report.retention = Some(
                delete_expired_copies(
                    &self.destination,
                    snapshot.kind,
                    database,
                    &source_arn,
                    &target,
                    cutoff,
                    days,
                )
                .await,
            );
        }
        Ok(report)
    }

    /// Returns why a snapshot is not copied, or `None` when it is.
    async fn skip_reason(&self, snapshot: &SnapshotDetails) -> Result<Option<String>, CopyError> {
        if snapshot.tag(COPIED_BY_KEY) == Some(COPIED_BY_VALUE) {
            return Ok(Some(format!(
                "{} is a copy made by {COPIED_BY_VALUE}",
                snapshot.identifier
            )));
        }

        let database = snapshot.database_id.as_deref().unwrap_or_default();
        if let Some(include) = &self.settings.include
            && include.first_match(database).is_none()
        {
            return Ok(Some(format!(
                "database {database} matches no INCLUDE_DATABASES pattern ({})",
                include.patterns().join(",")
            )));
        }
        if let Some(pattern) = self
            .settings
            .exclude
            .as_ref()
            .and_then(|exclude| exclude.first_match(database))
        {
            return Ok(Some(format!(
                "database {database} matches EXCLUDE_DATABASES pattern {pattern}"
            )));
        }

        let Some(tag) = &self.settings.exclude_tag else {
            return Ok(None);
        };
        if snapshot.tag(&tag.key) == Some(tag.value.as_str()) {
            return Ok(Some(format!(
                "snapshot {} has tag {}={} (EXCLUDE_TAG)",
                snapshot.identifier, tag.key, tag.value
            )));
        }
        if database.is_empty() {
            return Ok(None);
        }
        let kind = match snapshot.kind {
            SnapshotKind::Db => DatabaseKind::Instance,
            SnapshotKind::Cluster => DatabaseKind::Cluster,
        };
        match describe_database(&self.source, kind, database).await {
            Ok(details) if details.tag(&tag.key) == Some(tag.value.as_str()) => Ok(Some(format!(
                "database {database} has tag {}={} (EXCLUDE_TAG)",
                tag.key, tag.value
            ))),
            Ok(_) => Ok(None),
            // The final snapshot of a deleted database is still worth its copy.
            Err(err) if err.is_not_found() => Ok(None),
            Err(source) => Err(CopyError::DatabaseTags {
                database: database.to_owned(),
                source: Box::new(source),
            }),
        }
    }

    async fn start_copy(
        &self,
        kind: SnapshotKind,
        source_arn: &str,
        target: &str,
        plan: &TagPlan,
        kms_key_id: Option<&str>,
    ) -> CallResult {
        match kind {
            SnapshotKind::Db => {
                let request = self
                    .destination
                    .copy_db_snapshot()
                    .source_db_snapshot_identifier(source_arn)
                    .target_db_snapshot_identifier(target)
                    .set_kms_key_id(kms_key_id.map(str::to_owned))
                    .set_tags(Some(plan.tags.clone()));
                match request.send().await {
                    Ok(_) => CallResult::Started,
                    Err(err) => match err.as_service_error() {
                        Some(e) if e.is_db_snapshot_already_exists_fault() => {
                            CallResult::AlreadyExists
                        }
                        Some(e) if e.is_snapshot_quota_exceeded_fault() => {
                            CallResult::Rejected(Rejection::new(RejectionKind::Quota, e))
                        }
                        Some(e) if e.is_kms_key_not_accessible_fault() => {
                            CallResult::Rejected(Rejection::new(RejectionKind::KmsKey, e))
                        }
                        Some(e) if e.is_invalid_db_snapshot_state_fault() => {
                            CallResult::Rejected(Rejection::new(RejectionKind::NotReady, e))
                        }
                        Some(e) if e.is_db_snapshot_not_found_fault() => {
                            CallResult::Rejected(Rejection::new(RejectionKind::SourceNotFound, e))
                        }
                        _ => CallResult::Failed(err.into()),
                    },
                }
            }
            SnapshotKind::Cluster => {
                let request = self
                    .destination
                    .copy_db_cluster_snapshot()
                    .source_db_cluster_snapshot_identifier(source_arn)
                    .target_db_cluster_snapshot_identifier(target)
                    .set_kms_key_id(kms_key_id.map(str::to_owned))
                    .set_tags(Some(plan.tags.clone()));
                match request.send().await {
                    Ok(_) => CallResult::Started,
                    Err(err) => match err.as_service_error() {
                        Some(e) if e.is_db_cluster_snapshot_already_exists_fault() => {
                            CallResult::AlreadyExists
                        }
                        Some(e) if e.is_snapshot_quota_exceeded_fault() => {
                            CallResult::Rejected(Rejection::new(RejectionKind::Quota, e))
                        }
                        Some(e) if e.is_kms_key_not_accessible_fault() => {
                            CallResult::Rejected(Rejection::new(RejectionKind::KmsKey, e))
                        }
                        Some(e)
                            if e.is_invalid_db_cluster_snapshot_state_fault()
                                || e.is_invalid_db_cluster_state_fault() =>
                        {
                            CallResult::Rejected(Rejection::new(RejectionKind::NotReady, e))
                        }
                        Some(e) if e.is_db_cluster_snapshot_not_found_fault() => {
                            CallResult::Rejected(Rejection::new(RejectionKind::SourceNotFound, e))
                        }
                        _ => CallResult::Failed(err.into()),
                    },
                }
            }
        }
    }

    /// Checks that the snapshot under the target identifier is this function's copy of the
    /// same source, so "already exists" means "already copied" and not a name clash.
    async fn check_existing_copy(
        &self,
        kind: SnapshotKind,
        target: &str,
        source_arn: &str,
    ) -> Result<CopyOutcome, CopyError> {
        let call_error = |operation, source: aws_sdk_rds::Error| CopyError::Call {
            operation,
            region: self.region().to_owned(),
            source: Box::new(source),
        };
        let tags = match kind {
            SnapshotKind::Db => {
                const OPERATION: &str = "DescribeDBSnapshots";
                let output = self
                    .destination
                    .describe_db_snapshots()
                    .db_snapshot_identifier(target)
                    .send()
                    .await
                    .map_err(|err| call_error(OPERATION, err.into()))?;
                output
                    .db_snapshots()
                    .first()
                    .map(|copy| tag_pairs(copy.tag_list()))
            }
            SnapshotKind::Cluster => {
                const OPERATION: &str = "DescribeDBClusterSnapshots";
                let output = self
                    .destination
                    .describe_db_cluster_snapshots()
                    .db_cluster_snapshot_identifier(target)
                    .send()
                    .await
                    .map_err(|err| call_error(OPERATION, err.into()))?;
                output
                    .db_cluster_snapshots()
                    .first()
                    .map(|copy| tag_pairs(copy.tag_list()))
            }
        };
        let expected = source_arn_tag_value(source_arn);
        let found = tags.as_ref().and_then(|tags| {
            tags.iter()
                .find(|(key, _)| key == SOURCE_ARN_KEY)
                .map(|(_, value)| value.as_str())
        });
        if found == Some(expected.as_str()) {
            Ok(CopyOutcome::AlreadyCopied {
                target: target.to_owned(),
            })
        } else {
            Ok(CopyOutcome::ConfigurationError {
                problem: format!(
                    "{target} already exists in {} and is not this function's copy of {source_arn} (its {SOURCE_ARN_KEY} tag is {}); rename or delete it",
                    self.region(),
                    found.unwrap_or("missing")
                ),
            })
        }
    }

    fn rejection_outcome(
        &self,
        rejection: Rejection,
        source_arn: &str,
    ) -> Result<CopyOutcome, CopyError> {
        let Rejection { kind, message } = rejection;
        match kind {
            RejectionKind::Quota => Err(CopyError::QuotaExceeded {
                source_arn: source_arn.to_owned(),
                region: self.region().to_owned(),
                message,
            }),
            RejectionKind::NotReady => Err(CopyError::NotReady {
                source_arn: source_arn.to_owned(),
                message,
            }),
            RejectionKind::KmsKey => Ok(CopyOutcome::ConfigurationError {
                problem: format!(
                    "RDS cannot use COPY_KMS_KEY_ID {} in {} ({message}); check that the key exists there and that the function's role may use it",
                    self.settings.kms_key_id.as_deref().unwrap_or_default(),
                    self.region()
                ),
            }),
            RejectionKind::SourceNotFound => Ok(CopyOutcome::Skipped {
                reason: format!("RDS no longer finds {source_arn} ({message})"),
            }),
        }
    }
}

fn copy_operation(kind: SnapshotKind) -> &'static str {
    match kind {
        SnapshotKind::Db => "CopyDBSnapshot",
        SnapshotKind::Cluster => "CopyDBClusterSnapshot",
    }
}

enum CallResult {
    Started,
    AlreadyExists,
    Rejected(Rejection),
    Failed(aws_sdk_rds::Error),
}

/// A modelled rejection by RDS, with its message.
struct Rejection {
    kind: RejectionKind,
    message: String,
}

impl Rejection {
    fn new(kind: RejectionKind, error: &impl ProvideErrorMetadata) -> Rejection {
        let code = error.code().unwrap_or("unknown error");
        let message = match error.message() {
            Some(message) => format!("{code}: {message}"),
            None => code.to_owned(),
        };
        Rejection { kind, message }
    }
}

enum RejectionKind {
    /// The manual snapshot quota or the limit of copies in progress: retried.
    Quota,
    /// The source is not `available` yet: retried.
    NotReady,
    /// The KMS key cannot be used: a configuration error.
    KmsKey,
    /// The source snapshot is gone: skipped.
    SourceNotFound,
}

/// Describes why a copy could not start, for a describe error of the source snapshot.
pub(crate) fn snapshot_unavailable(error: &DescribeError) -> CopyError {
    CopyError::SnapshotUnavailable {
        reason: error_chain(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_name_region_and_target() {
        let report = CopyReport::new(
            "us-west-2",
            CopyOutcome::Copied {
                target: "orders-db-before-upgrade".into(),
                tags_copied: 3,
                tags_left_out: vec!["aws:x".into()],
            },
        );
        assert_eq!(
            report.lines(),
            [
                "Copy to us-west-2: started as orders-db-before-upgrade",
                "Copy tags: 3; left out: aws:x",
            ]
        );
        assert_eq!(report.action(), "copied");
    }
}
