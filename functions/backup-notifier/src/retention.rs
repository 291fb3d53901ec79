//! Retention of the disaster-recovery copies: after a copy, this function's older copies of
//! the same database in the destination Region are deleted.
//!
//! A snapshot is deleted only when all of these are true:
//! - it is a manual snapshot of the same DB instance or cluster identifier;
//! - it has the tag `rds-event-lambdas:copied-by` with the value `backup-notifier`;
//! - its `rds-event-lambdas:source-arn` tag names a snapshot of the same kind in the same
//!   partition, Region and account as the new copy's source;
//! - it is not the copy just made;
//! - it was taken before the cutoff.
//!
//! A snapshot without the tags is never touched.

use aws_sdk_rds::Client;
use chrono::{DateTime, Utc};
use rds_functions::records::error_chain;
use tracing::{error, info};

use crate::naming::SnapshotKind;
use crate::snapshot::{tag_pairs, to_utc};
use crate::tags::{COPIED_BY_KEY, COPIED_BY_VALUE, SOURCE_ARN_KEY, arn_part};

/// The result of retention after one copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    /// `COPY_RETENTION_DAYS`.
    pub days: u32,
    /// The copies deleted.
    pub deleted: Vec<String>,
    /// Copies that could not be deleted, each with the reason.
    pub failures: Vec<String>,
    /// The error that stopped the listing of copies, if any.
    pub list_error: Option<String>,
}

impl RetentionReport {
    /// Returns true when every expired copy was deleted.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty() && self.list_error.is_none()
    }

    /// Returns the lines a notification shows.
    pub fn lines(&self, region: &str) -> Vec<String> {
        let days = self.days;
        let mut lines = Vec::new();
        if let Some(reason) = &self.list_error {
            lines.push(format!(
                "Retention: copies in {region} could not be listed, none deleted: {reason}"
            ));
            return lines;
        }
        if self.deleted.is_empty() {
            lines.push(format!(
                "Retention: no copy in {region} older than {days} days"
            ));
        } else {
            lines.push(format!(
                "Retention: deleted {} copies in {region} older than {days} days: {}",
                self.deleted.len(),
                self.deleted.join(", ")
            ));
        }
        lines.extend(
            self.failures
                .iter()
                .map(|failure| format!("Retention: {failure}")),
        );
        lines
    }
}

/// A snapshot in the destination Region that may be one of this function's copies.
struct Candidate {
    identifier: String,
    tags: Vec<(String, String)>,
    taken: Option<DateTime<Utc>>,
}

impl Candidate {
    fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(tag_key, _)| tag_key == key)
            .map(|(_, value)| value.as_str())
    }
}

/// Deletes this function's copies of a database taken before `cutoff`, except `keep`.
///
/// Failures do not fail the record: the copy was made, and the next copy of the same
/// database runs retention again. They are logged and returned for the notification.
pub(crate) async fn delete_expired_copies(
    destination: &Client,
    kind: SnapshotKind,
    database: &str,
    source_arn: &str,
    keep: &str,
    cutoff: DateTime<Utc>,
    days: u32,
) -> RetentionReport {
    let mut report = RetentionReport {
        days,
        deleted: Vec::new(),
        failures: Vec::new(),
        list_error: None,
    };
    let candidates = match list_manual_snapshots(destination, kind, database).await {
        Ok(candidates) => candidates,
        Err(err) => {
            let reason = error_chain(&err);
            error!(database = %database, error = %reason, "retention could not list copies");
            report.list_error = Some(reason);
            return report;
        }
    };

    for candidate in candidates {
        if !is_expired_copy(&candidate, kind, source_arn, keep, cutoff) {
            continue;
        }
        match delete_snapshot(destination, kind, &candidate.identifier).await {
            Ok(()) => {
                info!(snapshot_id = %candidate.identifier, database = %database, action = "deleted", "expired copy deleted");
                report.deleted.push(candidate.identifier);
            }
            Err(DeleteFailure::NotFound) => {}
            Err(DeleteFailure::Other(reason)) => {
                error!(snapshot_id = %candidate.identifier, error = %reason, "expired copy not deleted");
                report.failures.push(format!(
                    "could not delete {}: {reason}",
                    candidate.identifier
                ));
            }
        }
    }
    report
}

fn is_expired_copy(
    candidate: &Candidate,
    kind: SnapshotKind,
    source_arn: &str,
    keep: &str,
    cutoff: DateTime<Utc>,
) -> bool {
    if candidate.identifier.eq_ignore_ascii_case(keep)
        || candidate.tag(COPIED_BY_KEY) != Some(COPIED_BY_VALUE)
    {
        return false;
    }
    let Some(copied_from) = candidate.tag(SOURCE_ARN_KEY) else {
        return false;
    };
    // Partition, Region and account come from the source's ARN. The resource type comes from
    // the snapshot kind, because an automated snapshot's identifier contains a colon.
    let same_scope = (0..5)
        .all(|index| arn_part(copied_from, index) == arn_part(source_arn, index))
        && arn_part(copied_from, 5) == Some(kind.arn_resource_type());
    same_scope && candidate.taken.is_some_and(|taken| taken < cutoff)
}

#[derive(Debug, thiserror::Error)]
#[error("{operation} failed")]
struct ListError {
    operation: &'static str,
    #[source]
    source: aws_sdk_rds::Error,
}

async fn list_manual_snapshots(
    destination: &Client,
    kind: SnapshotKind,
    database: &str,
) -> Result<Vec<Candidate>, ListError> {
    let mut candidates = Vec::new();
    match kind {
        SnapshotKind::Db => {
            let mut pages = destination
                .describe_db_snapshots()
                .db_instance_identifier(database)
                .snapshot_type("manual")
                .into_paginator()
                .items()
                .send();
            while let Some(item) = pages.next().await {
                let snapshot = item.map_err(|err| ListError {
                    operation: "DescribeDBSnapshots",
                    source: err.into(),
                })?;
                candidates.push(Candidate {
                    identifier: snapshot
                        .db_snapshot_identifier()
                        .unwrap_or_default()
                        .to_owned(),
                    tags: tag_pairs(snapshot.tag_list()),
                    // A copy's own creation time is when it was copied; the source's is when
                    // its data was taken, which is what retention counts from.
                    taken: snapshot
                        .original_snapshot_create_time()
                        .or(snapshot.snapshot_create_time())
                        .and_then(to_utc),
                });
            }
        }
        SnapshotKind::Cluster => {
            let mut pages = destination
                .describe_db_cluster_snapshots()
                .db_cluster_identifier(database)
                .snapshot_type("manual")
                .into_paginator()
                .items()
                .send();
            while let Some(item) = pages.next().await {
                let snapshot = item.map_err(|err| ListError {
                    operation: "DescribeDBClusterSnapshots",
                    source: err.into(),
                })?;
                candidates.push(Candidate {
                    identifier: snapshot
                        .db_cluster_snapshot_identifier()
                        .unwrap_or_default()
                        .to_owned(),
                    tags: tag_pairs(snapshot.tag_list()),
                    taken: snapshot.snapshot_create_time().and_then(to_utc),
                });
            }
        }
    }
    Ok(candidates)
}

enum DeleteFailure {
    /// Already gone: nothing to do.
    NotFound,
    /// Any other failure, formatted with its sources.
    Other(String),
}

async fn delete_snapshot(
    destination: &Client,
    kind: SnapshotKind,
    identifier: &str,
) -> Result<(), DeleteFailure> {
    match kind {
        SnapshotKind::Db => match destination
            .delete_db_snapshot()
            .db_snapshot_identifier(identifier)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_db_snapshot_not_found_fault()) =>
            {
                Err(DeleteFailure::NotFound)
            }
            Err(err) => Err(DeleteFailure::Other(error_chain(
                &aws_sdk_rds::Error::from(err),
            ))),
        },
        SnapshotKind::Cluster => match destination
            .delete_db_cluster_snapshot()
            .db_cluster_snapshot_identifier(identifier)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_db_cluster_snapshot_not_found_fault()) =>
            {
                Err(DeleteFailure::NotFound)
            }
            Err(err) => Err(DeleteFailure::Other(error_chain(
                &aws_sdk_rds::Error::from(err),
            ))),
        },
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const SOURCE_ARN: &str =
        "arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-db-2026-12-04-03-14";

    fn candidate(identifier: &str, tags: &[(&str, &str)], day: u32) -> Candidate {
        Candidate {
            identifier: identifier.to_owned(),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            taken: Utc.with_ymd_and_hms(2026, 11, day, 3, 0, 0).single(),
        }
    }

    fn cutoff() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0)
            .single()
            .expect("valid time")
    }

    const OLD_SOURCE: &str =
        "arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-db-2026-11-01-03-14";

    #[test]
    fn old_tagged_copy_expires() {
        let copy = candidate(
            "old-copy",
            &[
                (COPIED_BY_KEY, COPIED_BY_VALUE),
                (SOURCE_ARN_KEY, OLD_SOURCE),
            ],
            1,
        );
        assert!(is_expired_copy(
            &copy,
            SnapshotKind::Db,
            SOURCE_ARN,
            "new-copy",
            cutoff()
        ));
    }

    #[test]
    fn untagged_or_recent_or_kept_copy_stays() {
        let tags = [
            (COPIED_BY_KEY, COPIED_BY_VALUE),
            (SOURCE_ARN_KEY, OLD_SOURCE),
        ];
        let untagged = candidate("manual-keep", &[], 1);
        let recent = candidate("recent-copy", &tags, 25);
        let kept = candidate("new-copy", &tags, 1);
        let other_function = candidate(
            "other",
            &[
                (COPIED_BY_KEY, "someone-else"),
                (SOURCE_ARN_KEY, OLD_SOURCE),
            ],
            1,
        );
        for copy in [untagged, recent, kept, other_function] {
            assert!(
                !is_expired_copy(&copy, SnapshotKind::Db, SOURCE_ARN, "new-copy", cutoff()),
                "{}",
                copy.identifier
            );
        }
    }

    #[test]
    fn copy_from_other_region_or_kind_stays() {
        for copied_from in [
            "arn:aws:rds:eu-west-1:123456789012:snapshot:rds:orders-db-2026-11-01-03-14",
            "arn:aws:rds:us-east-1:210987654321:snapshot:orders-db-old",
            "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:orders-db-old",
        ] {
            let copy = candidate(
                "old-copy",
                &[
                    (COPIED_BY_KEY, COPIED_BY_VALUE),
                    (SOURCE_ARN_KEY, copied_from),
                ],
                1,
            );
            assert!(
                !is_expired_copy(&copy, SnapshotKind::Db, SOURCE_ARN, "new-copy", cutoff()),
                "{copied_from}"
            );
        }
    }

    #[test]
    fn report_lines_list_deletions_and_failures() {
        let report = RetentionReport {
            days: 7,
            deleted: vec!["a".into(), "b".into()],
            failures: vec!["could not delete c: InvalidDBSnapshotState".into()],
            list_error: None,
        };
        assert_eq!(
            report.lines("us-west-2"),
            [
                "Retention: deleted 2 copies in us-west-2 older than 7 days: a, b",
                "Retention: could not delete c: InvalidDBSnapshotState",
            ]
        );
        assert!(!report.is_complete());
    }
}
