//! backup-notifier: notifies about RDS backups, snapshots, snapshot copies and exports.
//!
//! Subscribed to the RDS events topic through the filter policy of the `backup-notifier`
//! route (or invoked by its EventBridge rule), it describes the snapshot an event is about.
//! When `COPY_TO_REGION` is set, it copies finished snapshots there. Then it publishes a
//! notification to `NOTIFICATION_TOPIC_ARN`.

use backup_notifier::{BackupNotifier, Config};
use rds_functions::config::Environment;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    rds_functions::telemetry::init();

    // A missing or invalid variable stops init, naming the variable.
    let config = Config::from_source(&Environment)?;
    let unused = Config::unused_copy_variables(&Environment);
    if !unused.is_empty() {
        tracing::warn!(
            variables = %unused.join(","),
            "copy variables set without COPY_TO_REGION have no effect"
        );
    }

    // Clients are built once and reused by every invocation.
    let sdk_config = rds_functions::aws::load_sdk_config().await;
    config.check_region(sdk_config.region().map(|region| region.as_ref()))?;
    let handler = BackupNotifier::new(&sdk_config, config);

    rds_functions::records::run(handler).await
}
