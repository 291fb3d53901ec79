//! failover-reactor: reports the writer and its Availability Zone after an RDS failover.
//!
//! Subscribed to the RDS events topic through the filter policy of the `failover-reactor`
//! route (or invoked by its EventBridge rule), it reads the current state of the instance or
//! cluster, so that out-of-order and repeated deliveries report the truth, and publishes an
//! alert to `NOTIFICATION_TOPIC_ARN`.

use failover_reactor::{Config, FailoverReactor};
use rds_functions::config::Environment;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    rds_functions::telemetry::init();

    // A missing or invalid variable stops init, naming the variable.
    let config = Config::from_source(&Environment)?;

    // Clients are built once and reused by every invocation.
    let sdk_config = rds_functions::aws::load_sdk_config().await;
    let handler = FailoverReactor::new(&sdk_config, config);

    rds_functions::records::run(handler).await
}
