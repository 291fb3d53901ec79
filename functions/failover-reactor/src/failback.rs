//! Carrying out a fail back: FailoverDBCluster or RebootDBInstance with ForceFailover.

use aws_sdk_rds::Client;
use rds_functions::records::error_chain;

use crate::decision::Plan;

/// The result of a fail back request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// RDS accepted the request; the failover runs asynchronously.
    Started,
    /// RDS rejected it because the cluster or instance is busy (another failover or change
    /// started after the state was read). It is reported, not retried: the next failover
    /// event decides again from the new state.
    Busy(String),
    /// The call failed for another reason.
    Failed(String),
}

/// Requests the fail back.
pub async fn apply(rds: &Client, plan: &Plan) -> Applied {
    match plan {
        Plan::Cluster {
            cluster, target, ..
        } => {
            let result = rds
                .failover_db_cluster()
                .db_cluster_identifier(cluster)
                .target_db_instance_identifier(target)
                .send()
                .await;
            match result {
                Ok(_) => Applied::Started,
                Err(err) => {
                    let busy = err.as_service_error().is_some_and(|service| {
                        service.is_invalid_db_cluster_state_fault()
                            || service.is_invalid_db_instance_state_fault()
                    });
                    classify("FailoverDBCluster", busy, err)
                }
            }
        }
        Plan::Instance { instance, .. } => {
            let result = rds
                .reboot_db_instance()
                .db_instance_identifier(instance)
                .force_failover(true)
                .send()
                .await;
            match result {
                Ok(_) => Applied::Started,
                Err(err) => {
                    let busy = err
                        .as_service_error()
                        .is_some_and(|service| service.is_invalid_db_instance_state_fault());
                    classify("RebootDBInstance", busy, err)
                }
            }
        }
    }
}

fn classify<E>(operation: &str, busy: bool, err: aws_sdk_rds::error::SdkError<E>) -> Applied
where
    E: std::error::Error + 'static,
    aws_sdk_rds::Error: From<aws_sdk_rds::error::SdkError<E>>,
{
    if busy && let Some(service) = err.as_service_error() {
        return Applied::Busy(format!("{operation}: {service}"));
    }
    let err = aws_sdk_rds::Error::from(err);
    Applied::Failed(format!("{operation} failed: {}", error_chain(&err)))
}
