//! Snapshot details for notifications, described through the RDS API.

use aws_sdk_rds::Client;
use aws_sdk_rds::error::SdkError;
use aws_sdk_rds::operation::describe_db_cluster_snapshots::DescribeDBClusterSnapshotsError;
use aws_sdk_rds::operation::describe_db_snapshots::DescribeDBSnapshotsError;
use aws_sdk_rds::types::Tag;
use chrono::{DateTime, Utc};
use rds_events::{RdsEvent, SourceType};

use crate::naming::SnapshotKind;

/// The details of an event's snapshot that a notification shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotDetails {
    /// A DB snapshot or a DB cluster snapshot.
    pub kind: SnapshotKind,
    /// The snapshot identifier.
    pub identifier: String,
    /// The snapshot's ARN.
    pub arn: Option<String>,
    /// `automated`, `manual`, `shared` or `public`.
    pub snapshot_type: Option<String>,
    /// Allocated storage in GiB.
    pub allocated_storage_gib: Option<i32>,
    /// The engine and its version (`postgres 16.3`).
    pub engine: Option<String>,
    /// Whether the snapshot is encrypted.
    pub encrypted: Option<bool>,
    /// The KMS key of an encrypted snapshot.
    pub kms_key_id: Option<String>,
    /// When the snapshot was created, as `YYYY-MM-DD HH:MM:SS UTC`.
    pub created: Option<String>,
    /// The snapshot's status (`available`, `creating`, …).
    pub status: Option<String>,
    /// The DB instance or DB cluster the snapshot was taken of.
    pub database_id: Option<String>,
    /// The snapshot's tags, as keys and values.
    pub tags: Vec<(String, String)>,
}

impl SnapshotDetails {
    /// Returns the lines a notification shows.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "Snapshot: {} ({})",
            self.identifier,
            self.snapshot_type.as_deref().unwrap_or("type unknown")
        )];
        if let Some(size) = self.allocated_storage_gib {
            lines.push(format!("Size: {size} GiB allocated"));
        }
        if let Some(engine) = &self.engine {
            lines.push(format!("Engine: {engine}"));
        }
        match (self.encrypted, &self.kms_key_id) {
            (Some(true), Some(key)) => {
                lines.push(format!("Encryption: encrypted with KMS key {key}"))
            }
            (Some(true), None) => lines.push("Encryption: encrypted".to_owned()),
            (Some(false), _) => lines.push("Encryption: not encrypted".to_owned()),
            (None, _) => {}
        }
        if let Some(created) = &self.created {
            lines.push(format!("Created: {created}"));
        }
        if let Some(status) = &self.status {
            lines.push(format!("Status: {status}"));
        }
        lines
    }

    /// Returns the value of a tag, if the snapshot has it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(tag_key, _)| tag_key == key)
            .map(|(_, value)| value.as_str())
    }
}

/// A describe call that failed or found nothing.
#[derive(Debug, thiserror::Error)]
pub enum DescribeError {
    /// The call failed.
    #[error("{operation} failed")]
    Call {
        /// The RDS operation.
        operation: &'static str,
        /// The SDK's error.
        #[source]
        source: aws_sdk_rds::Error,
    },
    /// The call found no snapshot.
    #[error("{operation} found no snapshot for {identifier}")]
    NotFound {
        /// The RDS operation.
        operation: &'static str,
        /// The identifier searched for.
        identifier: String,
    },
    /// The call found no DB instance or DB cluster of that identifier.
    #[error("{operation} found no database {identifier}")]
    DatabaseNotFound {
        /// The RDS operation.
        operation: &'static str,
        /// The identifier searched for.
        identifier: String,
    },
}

/// Converts a describe call's error: RDS's not-found fault for the operation becomes
/// `not_found`, any other error a [`DescribeError::Call`].
pub(crate) fn describe_failure<E, R>(
    error: SdkError<E, R>,
    operation: &'static str,
    is_not_found: fn(&E) -> bool,
    not_found: DescribeError,
) -> DescribeError
where
    aws_sdk_rds::Error: From<SdkError<E, R>>,
{
    if error.as_service_error().is_some_and(is_not_found) {
        not_found
    } else {
        DescribeError::Call {
            operation,
            source: error.into(),
        }
    }
}

impl DescribeError {
    /// Returns true when the resource does not exist, so a retry would not find it either.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            DescribeError::NotFound { .. } | DescribeError::DatabaseNotFound { .. }
        )
    }
}

/// The way an event names its snapshot.
enum Lookup<'a> {
    /// A DB snapshot by its identifier.
    DbSnapshot(&'a str),
    /// The newest DB snapshot of an instance, of a snapshot type.
    NewestOfInstance(&'a str, &'static str),
    /// A DB cluster snapshot by its identifier.
    ClusterSnapshot(&'a str),
}

fn lookup_for(event: &RdsEvent) -> Option<Lookup<'_>> {
    let id = event.source_id.as_str();
    match (&event.source_type, event.event_id.number()) {
        // Finished DB instance backup: the automated snapshot it made.
        (SourceType::DbInstance, 2) => Some(Lookup::NewestOfInstance(id, "automated")),
        // RDS finished creating a user-initiated snapshot.
        (SourceType::DbInstance, 75) => Some(Lookup::NewestOfInstance(id, "manual")),
        // Manual and automated snapshot created; copy started and finished, in another Region
        // or the same; export failed, canceled and completed; table extraction failed.
        (SourceType::DbSnapshot, 42 | 91 | 59 | 60 | 196 | 197 | 159 | 160 | 161 | 484) => {
            Some(Lookup::DbSnapshot(id))
        }
        // Manual and automated cluster snapshot created; export failed, canceled and
        // completed; table extraction failed.
        (SourceType::DbClusterSnapshot, 75 | 169 | 162 | 163 | 164 | 489) => {
            Some(Lookup::ClusterSnapshot(id))
        }
        // Snapshots being created, deleted or whose copy was canceled have no details worth
        // a call.
        _ => None,
    }
}

/// Describes the snapshot an event is about; `Ok(None)` for events whose snapshot is not
/// described: those about no snapshot, and snapshots being created or deleted.
///
/// # Errors
/// Returns [`DescribeError::NotFound`] when RDS has no such snapshot, and
/// [`DescribeError::Call`] when the call fails otherwise.
pub async fn describe_snapshot(
    rds: &Client,
    event: &RdsEvent,
) -> Result<Option<SnapshotDetails>, DescribeError> {
    let Some(lookup) = lookup_for(event) else {
        return Ok(None);
    };
    match lookup {
        Lookup::DbSnapshot(identifier) => {
            const OPERATION: &str = "DescribeDBSnapshots";
            let output = rds
                .describe_db_snapshots()
                .db_snapshot_identifier(identifier)
                .send()
                .await
                .map_err(|err| {
                    describe_failure(
                        err,
                        OPERATION,
                        DescribeDBSnapshotsError::is_db_snapshot_not_found_fault,
                        DescribeError::NotFound {
                            operation: OPERATION,
                            identifier: identifier.to_owned(),
                        },
                    )
                })?;
            output
                .db_snapshots()
                .first()
                .map(db_snapshot_details)
                .map(Some)
                .ok_or_else(|| DescribeError::NotFound {
                    operation: OPERATION,
                    identifier: identifier.to_owned(),
                })
        }
        Lookup::NewestOfInstance(instance, snapshot_type) => {
            const OPERATION: &str = "DescribeDBSnapshots";
            let output = rds
                .describe_db_snapshots()
                .db_instance_identifier(instance)
                .snapshot_type(snapshot_type)
                .send()
                .await
                .map_err(|err| DescribeError::Call {
                    operation: OPERATION,
                    source: err.into(),
                })?;
            output
                .db_snapshots()
                .iter()
                .max_by_key(|snapshot| {
                    snapshot
                        .snapshot_create_time()
                        .map(|time| (time.secs(), time.subsec_nanos()))
                })
                .map(db_snapshot_details)
                .map(Some)
                .ok_or_else(|| DescribeError::NotFound {
                    operation: OPERATION,
                    identifier: format!("{snapshot_type} snapshots of {instance}"),
                })
        }
        Lookup::ClusterSnapshot(identifier) => {
            const OPERATION: &str = "DescribeDBClusterSnapshots";
            let output = rds
                .describe_db_cluster_snapshots()
                .db_cluster_snapshot_identifier(identifier)
                .send()
                .await
                .map_err(|err| {
                    describe_failure(
                        err,
                        OPERATION,
                        DescribeDBClusterSnapshotsError::is_db_cluster_snapshot_not_found_fault,
                        DescribeError::NotFound {
                            operation: OPERATION,
                            identifier: identifier.to_owned(),
                        },
                    )
                })?;
            output
                .db_cluster_snapshots()
                .first()
                .map(cluster_snapshot_details)
                .map(Some)
                .ok_or_else(|| DescribeError::NotFound {
                    operation: OPERATION,
                    identifier: identifier.to_owned(),
                })
        }
    }
}

/// Converts an SDK time to chrono's.
pub(crate) fn to_utc(time: &aws_sdk_rds::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

/// Formats an SDK time as `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn format_time(time: Option<&aws_sdk_rds::primitives::DateTime>) -> Option<String> {
    to_utc(time?).map(|time| time.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}

/// Converts SDK tags to keys and values.
pub(crate) fn tag_pairs(tags: &[Tag]) -> Vec<(String, String)> {
    tags.iter()
        .filter_map(|tag| {
            let key = tag.key()?;
            Some((key.to_owned(), tag.value().unwrap_or_default().to_owned()))
        })
        .collect()
}

fn engine(name: Option<&str>, version: Option<&str>) -> Option<String> {
    match (name, version) {
        (Some(name), Some(version)) => Some(format!("{name} {version}")),
        (Some(name), None) => Some(name.to_owned()),
        _ => None,
    }
}

fn db_snapshot_details(snapshot: &aws_sdk_rds::types::DbSnapshot) -> SnapshotDetails {
    SnapshotDetails {
        kind: SnapshotKind::Db,
        identifier: snapshot
            .db_snapshot_identifier()
            .unwrap_or_default()
            .to_owned(),
        arn: snapshot.db_snapshot_arn().map(str::to_owned),
        snapshot_type: snapshot.snapshot_type().map(str::to_owned),
        allocated_storage_gib: snapshot.allocated_storage(),
        engine: engine(snapshot.engine(), snapshot.engine_version()),
        encrypted: snapshot.encrypted(),
        kms_key_id: snapshot.kms_key_id().map(str::to_owned),
        created: format_time(snapshot.snapshot_create_time()),
        status: snapshot.status().map(str::to_owned),
        database_id: snapshot.db_instance_identifier().map(str::to_owned),
        tags: tag_pairs(snapshot.tag_list()),
    }
}

fn cluster_snapshot_details(snapshot: &aws_sdk_rds::types::DbClusterSnapshot) -> SnapshotDetails {
    SnapshotDetails {
        kind: SnapshotKind::Cluster,
        identifier: snapshot
            .db_cluster_snapshot_identifier()
            .unwrap_or_default()
            .to_owned(),
        arn: snapshot.db_cluster_snapshot_arn().map(str::to_owned),
        snapshot_type: snapshot.snapshot_type().map(str::to_owned),
        allocated_storage_gib: snapshot.allocated_storage(),
        engine: engine(snapshot.engine(), snapshot.engine_version()),
        encrypted: snapshot.storage_encrypted(),
        kms_key_id: snapshot.kms_key_id().map(str::to_owned),
        created: format_time(snapshot.snapshot_create_time()),
        status: snapshot.status().map(str::to_owned),
        database_id: snapshot.db_cluster_identifier().map(str::to_owned),
        tags: tag_pairs(snapshot.tag_list()),
    }
}
