//! What failover-reactor does with one event.

use aws_config::SdkConfig;
use rds_events::route::{FAILOVER_REACTOR, Route};
use rds_events::{Category, EventId, RdsEvent, SourceType};
use rds_functions::notify::{NotificationMessage, Notifier, Severity};
use rds_functions::records::{Handler, HandlerError, Outcome, error_chain};
use tracing::warn;

use crate::config::Config;
use crate::state::{describe_cluster, describe_instance};

/// The handler: reads the current state of the instance or cluster and alerts.
#[derive(Debug, Clone)]
pub struct FailoverReactor {
    rds: aws_sdk_rds::Client,
    notifier: Notifier,
}

impl FailoverReactor {
    /// Builds the handler and its SDK clients from one SDK configuration.
    pub fn new(sdk_config: &SdkConfig, config: Config) -> FailoverReactor {
        let sns = aws_sdk_sns::Client::new(sdk_config);
        FailoverReactor {
            rds: aws_sdk_rds::Client::new(sdk_config),
            notifier: Notifier::new(sns, config.notification_topic_arn, config.format),
        }
    }
}

/// Event IDs of failovers and switchovers that failed or were abandoned, although RDS does
/// not file all of them under `failure`: cluster failover failed (0069), user-requested
/// failover abandoned (0034), global switchover and failover failed (0187, 0239).
const FAILED: [EventId; 4] = [
    EventId::new(34),
    EventId::new(69),
    EventId::new(187),
    EventId::new(239),
];

/// Returns how urgent a failover event is: failed failovers are critical; every other
/// failover, recovery or switchover event is a warning, because a person should know the
/// writer moved.
pub fn severity_of(event: &RdsEvent) -> Severity {
    if event.categories().contains(&Category::Failure) || FAILED.contains(&event.event_id) {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

impl Handler for FailoverReactor {
    fn route(&self) -> &'static Route {
        &FAILOVER_REACTOR
    }

    /// Alerts with the current writer and its Availability Zone. A failed describe does not
    /// stop the alert: it says the state is unavailable and why. A failed publish fails the
    /// record, so Lambda retries the invocation.
    async fn handle(&self, event: &RdsEvent) -> Result<Outcome, HandlerError> {
        let title = format!(
            "RDS {}: {}",
            event.source_id,
            event.message.trim_end_matches('.')
        );
        let mut message = NotificationMessage::for_event(event, title, severity_of(event));

        // Read the state now, whatever order the events arrived in.
        let state = match event.source_type {
            SourceType::DbInstance => Some(
                describe_instance(&self.rds, &event.source_id)
                    .await
                    .map(|s| s.lines()),
            ),
            SourceType::DbCluster => Some(
                describe_cluster(&self.rds, &event.source_id)
                    .await
                    .map(|s| s.lines()),
            ),
            _ => None,
        };
        let mut action = "alerted";
        match state {
            Some(Ok(lines)) => message.lines.extend(lines),
            Some(Err(err)) => {
                let reason = error_chain(&err);
                warn!(event_id = %event.event_id, source_id = %event.source_id, error = %reason, "current state unavailable");
                message
                    .lines
                    .push(format!("Current state: unavailable ({reason})"));
                action = "alerted-without-state";
            }
            None => {}
        }

        message
            .lines
            .push("Action: alert sent by failover-reactor".to_owned());
        let notification_id = self.notifier.publish(&message).await?;
        Ok(Outcome::new(action, Some(notification_id)))
    }
}
