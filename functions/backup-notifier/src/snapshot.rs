//! Snapshot details for notifications, described through the RDS API.

use aws_sdk_rds::Client;
use chrono::DateTime;
use rds_events::{EventId, RdsEvent, SourceType};

/// What a notification says about the snapshot an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotDetails {
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
}

/// How an event names its snapshot.
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
        // Manual and automated snapshot created; copy finished.
        (SourceType::DbSnapshot, 42 | 91 | 60 | 197) => Some(Lookup::DbSnapshot(id)),
        // Manual and automated cluster snapshot created.
        (SourceType::DbClusterSnapshot, 75 | 169) => Some(Lookup::ClusterSnapshot(id)),
        _ => None,
    }
}

/// Describes the snapshot an event is about; `Ok(None)` for events about no finished
/// snapshot.
///
/// # Errors
/// Returns an error when the describe call fails or finds no snapshot.
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
                .map_err(|err| DescribeError::Call {
                    operation: OPERATION,
                    source: err.into(),
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
                .map_err(|err| DescribeError::Call {
                    operation: OPERATION,
                    source: err.into(),
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

fn format_time(time: Option<&aws_sdk_rds::primitives::DateTime>) -> Option<String> {
    let time = time?;
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
        .map(|time| time.format("%Y-%m-%d %H:%M:%S UTC").to_string())
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
    }
}

fn cluster_snapshot_details(snapshot: &aws_sdk_rds::types::DbClusterSnapshot) -> SnapshotDetails {
    SnapshotDetails {
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
    }
}

/// Event IDs whose event means a snapshot copy or export failed, although RDS files them
/// under `notification`.
pub(crate) const FAILED_WITHOUT_FAILURE_CATEGORY: [EventId; 3] =
    [EventId::new(159), EventId::new(162), EventId::new(234)];

/// Event IDs whose event means a copy or export was cancelled.
pub(crate) const CANCELLED: [EventId; 5] = [
    EventId::new(61),
    EventId::new(160),
    EventId::new(163),
    EventId::new(190),
    EventId::new(235),
];
