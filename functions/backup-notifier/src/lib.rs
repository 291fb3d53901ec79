//! The logic of backup-notifier, as a library so that tests can run it against moto's
//! server with clients aimed there.

mod config;
mod handler;
mod snapshot;

pub use config::Config;
pub use handler::{BackupNotifier, severity_of};
pub use snapshot::{SnapshotDetails, describe_snapshot};
