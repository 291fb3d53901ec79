//! failover-reactor: reports the writer and its Availability Zone after an RDS failover, and
//! can fail back to a preferred writer or Availability Zone.
//!
//! Subscribed to the RDS events topic through the filter policy of the `failover-reactor`
//! route (or invoked by its EventBridge rule), it reads the current state of the instance or
//! cluster and its recent events. Out-of-order and repeated deliveries therefore report the
//! truth and lead to one fail back at most. Alerts go to `NOTIFICATION_TOPIC_ARN`. Fail back
//! changes nothing until `DRY_RUN=false`.

use failover_reactor::{Config, FailoverReactor};
use rds_functions::config::Environment;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    rds_functions::telemetry::init();

    // A missing or invalid variable stops init, naming the variable.
    let config = Config::from_source(&Environment)?;

    // Clients are built once and reused by every invocation.
    let sdk_config = rds_functions::aws::load_sdk_config().await;
    let reactor = FailoverReactor::new(&sdk_config, config);

    failover_reactor::run(reactor).await
}
