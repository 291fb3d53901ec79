//! `rds-events policy`: prints the SNS filter policy, EventBridge pattern or RDS event
//! subscriptions of one route.

use std::io::Write;

use rds_events::policy::{event_subscriptions, eventbridge_pattern, sns_filter_policy};
use rds_events::route::Route;

use crate::PolicyFormat;
use crate::error::CliError;

/// Writes the route's policy in the chosen format as pretty JSON.
pub(crate) fn run(
    route: &'static Route,
    format: PolicyFormat,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let document = match format {
        PolicyFormat::Sns => {
            sns_filter_policy(&route.selector).map_err(|source| CliError::Policy {
                route: route.name,
                source,
            })?
        }
        PolicyFormat::Eventbridge => eventbridge_pattern(&route.selector),
        PolicyFormat::Subscription => serde_json::to_value(event_subscriptions(&[route]))
            .map_err(|err| CliError::Output(err.into()))?,
    };
    let text =
        serde_json::to_string_pretty(&document).map_err(|err| CliError::Output(err.into()))?;
    writeln!(out, "{text}")?;
    Ok(())
}
