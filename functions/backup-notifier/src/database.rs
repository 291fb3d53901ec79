//! The backup state of the DB instance or cluster behind a failed backup, snapshot or
//! export, for notifications: how far back it can be restored.

use aws_sdk_rds::Client;
use aws_sdk_rds::operation::describe_db_clusters::DescribeDBClustersError;
use aws_sdk_rds::operation::describe_db_instances::DescribeDBInstancesError;

use crate::snapshot::{DescribeError, describe_failure, format_time, tag_pairs};

/// A DB instance or an Aurora DB cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// A DB instance (`DescribeDBInstances`).
    Instance,
    /// A DB cluster (`DescribeDBClusters`).
    Cluster,
}

impl DatabaseKind {
    fn noun(self) -> &'static str {
        match self {
            DatabaseKind::Instance => "DB instance",
            DatabaseKind::Cluster => "DB cluster",
        }
    }
}

/// The backup state of a DB instance or cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseDetails {
    /// An instance or a cluster.
    pub kind: DatabaseKind,
    /// Its identifier.
    pub identifier: String,
    /// The backup retention period in days; 0 means automated backups are off.
    pub backup_retention_days: Option<i32>,
    /// The latest time it can be restored to, as `YYYY-MM-DD HH:MM:SS UTC`.
    pub latest_restorable: Option<String>,
    /// Its tags, as keys and values.
    pub tags: Vec<(String, String)>,
}

impl DatabaseDetails {
    /// Returns the lines a notification shows.
    pub fn lines(&self) -> Vec<String> {
        let retention = match self.backup_retention_days {
            Some(0) => "0 days (automated backups are off)".to_owned(),
            Some(days) => format!("{days} days"),
            None => "unknown".to_owned(),
        };
        vec![
            format!(
                "Backup retention of {} {}: {retention}",
                self.kind.noun(),
                self.identifier
            ),
            format!(
                "Latest restorable time: {}",
                self.latest_restorable.as_deref().unwrap_or("unknown")
            ),
        ]
    }

    /// Returns the value of a tag, if the database has it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(tag_key, _)| tag_key == key)
            .map(|(_, value)| value.as_str())
    }
}

/// Describes a DB instance or cluster.
///
/// # Errors
/// Returns [`DescribeError::DatabaseNotFound`] when RDS has no such database, and
/// [`DescribeError::Call`] when the call fails otherwise.
pub async fn describe_database(
    rds: &Client,
    kind: DatabaseKind,
    identifier: &str,
) -> Result<DatabaseDetails, DescribeError> {
    let not_found = |operation| DescribeError::DatabaseNotFound {
        operation,
        identifier: identifier.to_owned(),
    };
    match kind {
        DatabaseKind::Instance => {
            const OPERATION: &str = "DescribeDBInstances";
            let output = rds
                .describe_db_instances()
                .db_instance_identifier(identifier)
                .send()
                .await
                .map_err(|err| {
                    describe_failure(
                        err,
                        OPERATION,
                        DescribeDBInstancesError::is_db_instance_not_found_fault,
                        not_found(OPERATION),
                    )
                })?;
            let instance = output
                .db_instances()
                .first()
                .ok_or_else(|| not_found(OPERATION))?;
            Ok(DatabaseDetails {
                kind,
                identifier: identifier.to_owned(),
                backup_retention_days: instance.backup_retention_period(),
                latest_restorable: format_time(instance.latest_restorable_time()),
                tags: tag_pairs(instance.tag_list()),
            })
        }
        DatabaseKind::Cluster => {
            const OPERATION: &str = "DescribeDBClusters";
            let output = rds
                .describe_db_clusters()
                .db_cluster_identifier(identifier)
                .send()
                .await
                .map_err(|err| {
                    describe_failure(
                        err,
                        OPERATION,
                        DescribeDBClustersError::is_db_cluster_not_found_fault,
                        not_found(OPERATION),
                    )
                })?;
            let cluster = output
                .db_clusters()
                .first()
                .ok_or_else(|| not_found(OPERATION))?;
            Ok(DatabaseDetails {
                kind,
                identifier: identifier.to_owned(),
                backup_retention_days: cluster.backup_retention_period(),
                latest_restorable: format_time(cluster.latest_restorable_time()),
                tags: tag_pairs(cluster.tag_list()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_backups_are_off() {
        let details = DatabaseDetails {
            kind: DatabaseKind::Cluster,
            identifier: "billing-aurora".into(),
            backup_retention_days: Some(0),
            latest_restorable: None,
            tags: Vec::new(),
        };
        assert_eq!(
            details.lines(),
            [
                "Backup retention of DB cluster billing-aurora: 0 days (automated backups are off)",
                "Latest restorable time: unknown",
            ]
        );
    }
}
