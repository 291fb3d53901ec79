//! The logic of backup-notifier, as a library so that tests can run it against moto's
//! server with clients aimed there.

mod config;
mod copy;
mod database;
mod handler;
mod naming;
mod retention;
mod severity;
mod snapshot;
mod tags;

pub use config::{Config, CopySettings, DatabasePatterns, Tag};
pub use copy::{Copier, CopyError, CopyOutcome, CopyReport, is_copy_trigger};
pub use database::{DatabaseDetails, DatabaseKind, describe_database};
pub use handler::BackupNotifier;
pub use naming::{SnapshotKind, is_valid_identifier, target_identifier};
pub use retention::RetentionReport;
pub use severity::severity_of;
pub use snapshot::{DescribeError, SnapshotDetails, describe_snapshot};
pub use tags::{COPIED_BY_KEY, COPIED_BY_VALUE, SOURCE_ARN_KEY};
