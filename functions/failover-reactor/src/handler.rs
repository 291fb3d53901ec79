//! The handler of failover-reactor: for each event it reads the current state, decides
//! whether to fail back, acts at most once per invocation, and alerts.

use std::sync::atomic::{AtomicBool, Ordering};

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use lambda_runtime::{LambdaEvent, service_fn};
use rds_events::route::{FAILOVER_REACTOR, Route};
use rds_events::{RdsEvent, SourceType};
use rds_functions::notify::{NotificationMessage, Notifier};
use rds_functions::records::{Handler, HandlerError, Outcome, error_chain, process};
use serde_json::Value;
use tracing::{info, warn};

use crate::alert::{completes_failover, severity_of, title_of};
use crate::config::{Config, FailbackConfig};
use crate::decision::{Decision, Facts, Guard, Plan, decide_cluster, decide_instance};
use crate::failback::{Applied, apply};
use crate::history::{History, read_history, window_minutes};
use crate::preference::{ZonePreference, preferred_writer, preferred_zone};
use crate::state::{StateError, describe_cluster, describe_instance};

/// The maximum number of later events an alert lists.
const MAX_LISTED_EVENTS: usize = 10;

/// The function: its SDK clients and settings, built once at init.
#[derive(Debug, Clone)]
pub struct FailoverReactor {
    rds: aws_sdk_rds::Client,
    notifier: Notifier,
    failback: FailbackConfig,
}

impl FailoverReactor {
    /// Builds the function and its SDK clients from one SDK configuration.
    pub fn new(sdk_config: &SdkConfig, config: Config) -> FailoverReactor {
        FailoverReactor::from_clients(
            aws_sdk_rds::Client::new(sdk_config),
            aws_sdk_sns::Client::new(sdk_config),
            config,
        )
    }

    /// Builds the function from clients, so that tests can hand in mocked ones.
    pub fn from_clients(
        rds: aws_sdk_rds::Client,
        sns: aws_sdk_sns::Client,
        config: Config,
    ) -> FailoverReactor {
        FailoverReactor {
            rds,
            notifier: Notifier::new(sns, config.notification_topic_arn, config.format),
            failback: config.failback,
        }
    }

    /// Starts an invocation: the handler of its records, which share one action at most.
    pub fn invocation(&self) -> Invocation<'_> {
        Invocation {
            reactor: self,
            acted: AtomicBool::new(false),
        }
    }
}

/// The handler of one invocation's records. Whichever record fails back first (or would, in
/// a dry run) uses the invocation's one action, and the others report [`Guard::ActionTaken`].
///
/// NOTE: invocations running at the same time in other execution environments do not share
/// the budget. Deploy with reserved concurrency 1 to serialise them.
#[derive(Debug)]
pub struct Invocation<'a> {
    reactor: &'a FailoverReactor,
    acted: AtomicBool,
}

/// Serves invocations from the Lambda runtime API until the process ends, with a fresh
/// action budget for each.
///
/// # Errors
/// Returns the runtime's error when it cannot talk to the runtime API.
pub async fn run(reactor: FailoverReactor) -> Result<(), lambda_runtime::Error> {
    let reactor = &reactor;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        process(&event.payload, &reactor.invocation()).await
    }))
    .await
}

impl Handler for Invocation<'_> {
    fn route(&self) -> &'static Route {
        &FAILOVER_REACTOR
    }

    /// Alerts with the current state, what changed since the event, and what the function
    /// did about a fail back and why. A failed describe does not stop the alert, which reports
    /// the state as unavailable and why, and nothing is changed. A failed publish fails the
    /// record, so Lambda retries the invocation. The retry reads the state again, so it does
    /// not repeat a fail back that already started.
    async fn handle(&self, event: &RdsEvent) -> Result<Outcome, HandlerError> {
        let reactor = self.reactor;
        let title = title_of(&event.source_id, &event.message);
        let mut message = NotificationMessage::for_event(event, title, severity_of(event));
        let now = Utc::now();

        // Boxed, because the nested SDK futures are deep enough to exceed the compiler's
        // recursion limit when it computes the layout of the runtime's future.
        let report = match event.source_type {
            SourceType::DbCluster => Box::pin(self.react_cluster(event, now)).await,
            SourceType::DbInstance => Box::pin(self.react_instance(event, now)).await,
            _ => Report {
                lines: vec![format!(
                    "Current state: not read for {} events; see the console",
                    event.source_type
                )],
                action: "alerted".to_owned(),
                action_lines: vec![
                    "Action: none; switchovers are reported, not acted on".to_owned(),
                ],
            },
        };
        message.lines.extend(report.lines);
        message.lines.extend(report.action_lines);
        message.lines.push(format!(
            "Sent by failover-reactor (DRY_RUN={})",
            reactor.failback.dry_run
        ));

        let notification_id = reactor.notifier.publish(&message).await?;
        Ok(Outcome::new(report.action, Some(notification_id)))
    }
}

/// The result of handling an event: the alert lines about the state, the action taken and
/// its lines.
struct Report {
    lines: Vec<String>,
    action: String,
    action_lines: Vec<String>,
}

impl Report {
    /// Builds the report for a source whose state could not be read. Nothing is changed.
    fn without_state(event: &RdsEvent, err: &StateError, lines: Vec<String>) -> Report {
        let reason = error_chain(err);
        warn!(event_id = %event.event_id, source_id = %event.source_id, error = %reason, "current state unavailable");
        // A missing source does not fail the record, because a retry cannot make it appear
        // and the alert already names the problem.
        let (state_line, action) = match err {
            StateError::NotFound { .. } => (
                format!(
                    "Current state: unavailable ({reason}; it was deleted, or the function runs in another account or Region)"
                ),
                "alerted-source-not-found",
            ),
            StateError::Call { .. } => (
                format!("Current state: unavailable ({reason})"),
                "alerted-without-state",
            ),
        };
        let mut all = vec![state_line];
        all.extend(lines);
        Report {
            lines: all,
            action: action.to_owned(),
            action_lines: vec![
                "Action: none; the current state could not be read, so nothing was changed"
                    .to_owned(),
            ],
        }
    }
}

impl Invocation<'_> {
    async fn react_cluster(&self, event: &RdsEvent, now: DateTime<Utc>) -> Report {
        let rds = &self.reactor.rds;
        let settings = &self.reactor.failback;
        let state = describe_cluster(rds, &event.source_id).await;
        let history = self.history(event, now).await;
        let since_lines = since_event_lines(event, &history);
        let cluster = match state {
            Ok(cluster) => cluster,
            Err(err) => return Report::without_state(event, &err, since_lines),
        };

        let preference = preferred_writer(rds, settings, &cluster).await;
        let mut lines = cluster.lines();
        lines.push(preference.line());
        lines.extend(since_lines);

        let facts = self.facts(event, now, &history);
        let decision = decide_cluster(&facts, &cluster, &preference);
        let (action, action_lines) = self.carry_out(event, decision).await;
        Report {
            lines,
            action,
            action_lines,
        }
    }

    async fn react_instance(&self, event: &RdsEvent, now: DateTime<Utc>) -> Report {
        let rds = &self.reactor.rds;
        let settings = &self.reactor.failback;
        let state = describe_instance(rds, &event.source_id).await;
        let history = self.history(event, now).await;
        let since_lines = since_event_lines(event, &history);
        let instance = match state {
            Ok(instance) => instance,
            Err(err) => return Report::without_state(event, &err, since_lines),
        };

        let mut lines = instance.lines();
        // A cluster member's event (crash recovery, restart) reports its cluster's writer.
        if let Some(cluster) = &instance.cluster_identifier {
            match describe_cluster(rds, cluster).await {
                Ok(cluster) => lines.extend(cluster.lines()),
                Err(err) => lines.push(format!(
                    "Cluster state: unavailable ({})",
                    error_chain(&err)
                )),
            }
        }
        let preference = if instance.multi_az && instance.cluster_identifier.is_none() {
            let preference = preferred_zone(rds, settings, &instance).await;
            lines.push(preference.line());
            preference
        } else {
            ZonePreference::None
        };
        lines.extend(since_lines);

        let facts = self.facts(event, now, &history);
        let decision = decide_instance(
            &facts,
            &instance,
            &preference,
            settings.allow_instance_failback,
        );
        let (action, action_lines) = self.carry_out(event, decision).await;
        Report {
            lines,
            action,
            action_lines,
        }
    }

    /// Reads the source's events over the cooldown, or at least the last hour.
    async fn history(&self, event: &RdsEvent, now: DateTime<Utc>) -> Result<History, String> {
        let minutes = window_minutes(self.reactor.failback.cooldown_minutes);
        read_history(
            &self.reactor.rds,
            &event.source_type,
            &event.source_id,
            minutes,
            now,
        )
        .await
        .map_err(|err| {
            let reason = error_chain(&err);
            warn!(event_id = %event.event_id, source_id = %event.source_id, error = %reason, "event history unavailable");
            reason
        })
    }

    fn facts<'h>(
        &self,
        event: &RdsEvent,
        now: DateTime<Utc>,
        history: &'h Result<History, String>,
    ) -> Facts<'h> {
        Facts {
            completed_failover: completes_failover(&event.source_type, event.event_id),
            event_time: event.time,
            now,
            history: history.as_ref().map_err(String::as_str),
            cooldown_minutes: self.reactor.failback.cooldown_minutes,
        }
    }

    /// Acts on a decision, within the invocation's budget of one action, and returns the
    /// outcome's action name and the alert's action lines.
    async fn carry_out(&self, event: &RdsEvent, decision: Decision) -> (String, Vec<String>) {
        let plan = match decision {
            Decision::NotNeeded(reason) => {
                return (
                    "alerted".to_owned(),
                    vec![format!("Action: none; {reason}")],
                );
            }
            Decision::Misconfigured(problem) => {
                return (
                    "failback-misconfigured".to_owned(),
                    vec![format!(
                        "Action: none; fix the preferred writer first: {problem}"
                    )],
                );
            }
            Decision::Held { plan, guards } => return held(&plan, &guards),
            Decision::FailBack(plan) => plan,
        };

        if self.acted.swap(true, Ordering::SeqCst) {
            return held(&plan, &[Guard::ActionTaken]);
        }
        if self.reactor.failback.dry_run {
            info!(event_id = %event.event_id, source_id = %event.source_id, plan = %plan, action = "failback-dry-run", "fail back due; dry run changes nothing");
            return (
                "failback-dry-run".to_owned(),
                vec![format!(
                    "Action: none, because DRY_RUN=true; without it the function would call {plan}"
                )],
            );
        }

        match apply(&self.reactor.rds, &plan).await {
            Applied::Started => {
                info!(event_id = %event.event_id, source_id = %event.source_id, plan = %plan, action = "failback-started", "fail back requested");
                (
                    "failback-started".to_owned(),
                    vec![format!("Action: fail back requested: {plan}")],
                )
            }
            Applied::Busy(detail) => {
                warn!(event_id = %event.event_id, source_id = %event.source_id, plan = %plan, error = %detail, "fail back rejected: busy");
                let what = match plan {
                    Plan::Cluster { .. } => "cluster busy",
                    Plan::Instance { .. } => "instance busy",
                };
                (
                    "failback-busy".to_owned(),
                    vec![format!(
                        "Action: fail back not done: {what} ({detail}); not retried, the next failover event decides again"
                    )],
                )
            }
            Applied::Failed(detail) => {
                warn!(event_id = %event.event_id, source_id = %event.source_id, plan = %plan, error = %detail, "fail back failed");
                (
                    "failback-failed".to_owned(),
                    vec![format!("Action: fail back not done: {detail}")],
                )
            }
        }
    }
}

fn held(plan: &Plan, guards: &[Guard]) -> (String, Vec<String>) {
    let mut lines = vec![format!("Action: none; fail back held: {plan}")];
    lines.extend(guards.iter().map(|guard| format!("Held by: {guard}")));
    ("failback-held".to_owned(), lines)
}

/// Returns the alert lines that list the source's events after the triggering one.
fn since_event_lines(event: &RdsEvent, history: &Result<History, String>) -> Vec<String> {
    let history = match history {
        Ok(history) => history,
        Err(reason) => return vec![format!("Since the event: unavailable ({reason})")],
    };
    let later = history.after(event.time, &event.message);
    if later.is_empty() {
        return vec!["Since the event: no later events".to_owned()];
    }
    let count = match later.len() {
        1 => "1 later event".to_owned(),
        n => format!("{n} later events"),
    };
    let mut lines = vec![format!("Since the event: {count}")];
    for past in later.iter().take(MAX_LISTED_EVENTS) {
        lines.push(format!(
            "  {} UTC {}",
            past.date.format("%Y-%m-%d %H:%M:%S"),
            past.message
        ));
    }
    if later.len() > MAX_LISTED_EVENTS {
        lines.push(format!("  and {} more", later.len() - MAX_LISTED_EVENTS));
    }
    lines
}
