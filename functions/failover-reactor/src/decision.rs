//! Whether to fail back, decided from the current state and the recent history alone, so
//! that duplicate and out-of-order deliveries of the same events reach the same decision.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use crate::history::{History, PastEvent};
use crate::preference::{WriterPreference, ZonePreference};
use crate::state::{ClusterState, InstanceState};

/// The number of completed failovers within the cooldown that stops a fail back.
///
/// The failover that triggers a fail back is itself within the cooldown, so the guard
/// counts failovers. One completed failover (the trigger) allows a fail back. A second one in
/// the window means that the writer has already moved back and forth (an earlier fail back, a
/// manual switch, or repeated failures), so another automatic move would make it flap.
pub const COOLDOWN_FAILOVERS: usize = 2;

/// A fail back the function can make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// FailoverDBCluster with the preferred writer as target.
    Cluster {
        /// The cluster.
        cluster: String,
        /// The preferred writer.
        target: String,
        /// The writer now, if the cluster reports one.
        writer: Option<String>,
    },
    /// RebootDBInstance with ForceFailover, to bring the primary back to its preferred
    /// Availability Zone.
    Instance {
        /// The Multi-AZ instance.
        instance: String,
        /// The Availability Zone of the primary now.
        zone: Option<String>,
        /// The preferred Availability Zone, where the standby is.
        preferred_zone: String,
    },
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Plan::Cluster {
                cluster,
                target,
                writer,
            } => write!(
                f,
                "FailoverDBCluster to make {target} the writer of {cluster} again (writer now: {})",
                writer.as_deref().unwrap_or("none")
            ),
            Plan::Instance {
                instance,
                zone,
                preferred_zone,
            } => write!(
                f,
                "RebootDBInstance with ForceFailover to move the primary of {instance} from {} to {preferred_zone}",
                zone.as_deref().unwrap_or("an unknown Availability Zone")
            ),
        }
    }
}

/// A condition that stops a fail back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// `ALLOW_INSTANCE_FAILBACK` is false.
    InstanceFailbackDisabled,
    /// The cluster or instance is not `available`: a failover or change is in progress.
    NotAvailable {
        /// `DB cluster X` or `DB instance X`.
        resource: String,
        /// Its status.
        status: String,
    },
    /// The cluster reports no writer.
    NoWriter,
    /// DescribeEvents lists a failover start with no completion or failure after it.
    FailoverRunning {
        /// The start.
        started: PastEvent,
    },
    /// The preferred writer is not `available`.
    TargetNotAvailable {
        /// The preferred writer.
        target: String,
        /// Its status, if its instance could be described.
        status: Option<String>,
    },
    /// The standby of a Multi-AZ instance is not in the preferred Availability Zone, so a
    /// failover would not bring the primary there.
    StandbyElsewhere {
        /// The standby's Availability Zone, if RDS reports it.
        standby_zone: Option<String>,
        /// The preferred Availability Zone.
        preferred_zone: String,
    },
    /// The preferred writer or zone could not be read.
    PreferenceUnknown {
        /// Why.
        reason: String,
    },
    /// DescribeEvents failed, so neither the cooldown nor a running failover can be checked.
    HistoryUnavailable {
        /// Why.
        reason: String,
    },
    /// [`COOLDOWN_FAILOVERS`] or more failovers completed within the cooldown.
    Cooldown {
        /// When they completed.
        completed: Vec<DateTime<Utc>>,
        /// `FAILBACK_COOLDOWN_MINUTES`.
        minutes: u32,
    },
    /// Another record of the same invocation already failed back (or would have, in a dry
    /// run): one action per invocation at most.
    ActionTaken,
}

impl fmt::Display for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Guard::InstanceFailbackDisabled => f.write_str("ALLOW_INSTANCE_FAILBACK is false"),
            Guard::NotAvailable { resource, status } => write!(
                f,
                "{resource} is {status}, not available: a failover or change is in progress"
            ),
            Guard::NoWriter => f.write_str("the cluster reports no writer"),
            Guard::FailoverRunning { started } => write!(
                f,
                "a failover started at {} UTC and has not completed ({})",
                started.date.format("%Y-%m-%d %H:%M:%S"),
                started.message
            ),
            Guard::TargetNotAvailable { target, status } => write!(
                f,
                "the preferred writer {target} is {}, not available",
                status.as_deref().unwrap_or("in an unknown state")
            ),
            Guard::StandbyElsewhere {
                standby_zone: Some(standby),
                preferred_zone,
            } => write!(
                f,
                "the standby is in {standby}, not in {preferred_zone}, so a failover would not reach the preferred Availability Zone"
            ),
            Guard::StandbyElsewhere {
                standby_zone: None,
                preferred_zone,
            } => write!(
                f,
                "RDS reports no Availability Zone for the standby, so a failover may not reach {preferred_zone}"
            ),
            Guard::PreferenceUnknown { reason } => {
                write!(f, "the preference could not be read ({reason})")
            }
            Guard::HistoryUnavailable { reason } => write!(
                f,
                "the event history is unavailable ({reason}), so the cooldown cannot be checked"
            ),
            Guard::Cooldown { completed, minutes } => {
                let times: Vec<String> = completed
                    .iter()
                    .map(|time| time.format("%Y-%m-%d %H:%M:%S").to_string())
                    .collect();
                write!(
                    f,
                    "cooldown: {} failovers completed in the last {minutes} minutes (at {} UTC); fail back by hand once the writer is stable",
                    completed.len(),
                    times.join(", ")
                )
            }
            Guard::ActionTaken => f.write_str(
                "another record of this invocation already failed back (one action per invocation)",
            ),
        }
    }
}

/// The outcome of the fail back decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Nothing: the event is not a completed failover, nothing is preferred, or the writer
    /// or primary is where it should be.
    NotNeeded(String),
    /// Nothing, because the preference is misconfigured.
    Misconfigured(String),
    /// A fail back is due but at least one guard holds.
    Held {
        /// The fail back that is due.
        plan: Plan,
        /// Every guard that holds.
        guards: Vec<Guard>,
    },
    /// A fail back to make now, unless `DRY_RUN` is true or the invocation has used its one
    /// action.
    FailBack(Plan),
}

/// The facts a decision needs besides the resource and its preference.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Whether the event is a completed failover, the only kind that triggers a fail back.
    pub completed_failover: bool,
    /// When the event happened.
    pub event_time: DateTime<Utc>,
    /// The time now.
    pub now: DateTime<Utc>,
    /// The source's recent events, or why they could not be read.
    pub history: Result<&'a History, &'a str>,
    /// `FAILBACK_COOLDOWN_MINUTES`.
    pub cooldown_minutes: u32,
}

impl Facts<'_> {
    /// Returns the guards that come from the history: a running failover, the cooldown, or
    /// the history itself missing.
    fn history_guards(&self) -> Vec<Guard> {
        let history = match self.history {
            Ok(history) => history,
            Err(reason) => {
                return vec![Guard::HistoryUnavailable {
                    reason: reason.to_owned(),
                }];
            }
        };
        let mut guards = Vec::new();
        if let Some(started) = history.running_failover() {
            guards.push(Guard::FailoverRunning {
                started: started.clone(),
            });
        }
        let since = self.now - TimeDelta::minutes(i64::from(self.cooldown_minutes));
        let completed = history.completed_failovers(since, Some(self.event_time));
        if completed.len() >= COOLDOWN_FAILOVERS {
            guards.push(Guard::Cooldown {
                completed,
                minutes: self.cooldown_minutes,
            });
        }
        guards
    }
}

/// Decides the fail back of an Aurora or Multi-AZ DB cluster to its preferred writer.
///
/// Whatever the event, a preferred writer in place is reported as such. Only a completed
/// failover can lead to a fail back; then every guard that holds is reported.
pub fn decide_cluster(
    facts: &Facts<'_>,
    cluster: &ClusterState,
    preference: &WriterPreference,
) -> Decision {
    let not_completed = || {
        Decision::NotNeeded(
            "fail back follows only a completed failover (RDS-EVENT-0071)".to_owned(),
        )
    };
    let target = match preference {
        WriterPreference::None => {
            return Decision::NotNeeded(
                "no preferred writer; set PREFERRED_WRITERS or tag one member failover-reactor:preferred-writer=true".to_owned(),
            );
        }
        WriterPreference::Invalid { problem } => return Decision::Misconfigured(problem.clone()),
        WriterPreference::Unknown { .. } if !facts.completed_failover => return not_completed(),
        WriterPreference::Unknown { reason } => {
            return Decision::Held {
                plan: Plan::Cluster {
                    cluster: cluster.identifier.clone(),
                    target: "the preferred writer".to_owned(),
                    writer: cluster.writer().map(|writer| writer.identifier.clone()),
                },
                guards: vec![Guard::PreferenceUnknown {
                    reason: reason.clone(),
                }],
            };
        }
        WriterPreference::Member { identifier, .. } => identifier,
    };
    let writer = cluster.writer();
    if writer.is_some_and(|writer| &writer.identifier == target) {
        return Decision::NotNeeded(format!(
            "the preferred writer {target} is the writer already"
        ));
    }
    if !facts.completed_failover {
        return not_completed();
    }
    let plan = Plan::Cluster {
        cluster: cluster.identifier.clone(),
        target: target.clone(),
        writer: writer.map(|writer| writer.identifier.clone()),
    };

    let mut guards = Vec::new();
    if cluster.status != "available" {
        guards.push(Guard::NotAvailable {
            resource: format!("DB cluster {}", cluster.identifier),
            status: cluster.status.clone(),
        });
    }
    if writer.is_none() {
        guards.push(Guard::NoWriter);
    }
    let target_status = cluster
        .member(target)
        .and_then(|member| member.status.clone());
    if target_status.as_deref() != Some("available") {
        guards.push(Guard::TargetNotAvailable {
            target: target.clone(),
            status: target_status,
        });
    }
    guards.extend(facts.history_guards());

    if guards.is_empty() {
        Decision::FailBack(plan)
    } else {
        Decision::Held { plan, guards }
    }
}

/// Decides the fail back of a Multi-AZ instance's primary to its preferred Availability Zone.
///
/// Whatever the event, a primary in the preferred Availability Zone is reported as such. Only
/// a completed Multi-AZ failover can lead to a fail back; then every guard that holds is
/// reported.
pub fn decide_instance(
    facts: &Facts<'_>,
    instance: &InstanceState,
    preference: &ZonePreference,
    allow_instance_failback: bool,
) -> Decision {
    let not_completed = || {
        Decision::NotNeeded(
            "fail back follows only a completed Multi-AZ failover (RDS-EVENT-0049 or RDS-EVENT-0015)"
                .to_owned(),
        )
    };
    if let Some(cluster) = &instance.cluster_identifier {
        return Decision::NotNeeded(format!(
            "{} is a member of DB cluster {cluster}; its cluster's failover events drive a fail back",
            instance.identifier
        ));
    }
    if !instance.multi_az {
        return Decision::NotNeeded(format!("{} is not Multi-AZ", instance.identifier));
    }
    let preferred_zone = match preference {
        ZonePreference::None => {
            return Decision::NotNeeded(
                "no preferred Availability Zone; set PREFERRED_AZS or tag the instance failover-reactor:preferred-az".to_owned(),
            );
        }
        ZonePreference::Unknown { .. } if !facts.completed_failover => return not_completed(),
        ZonePreference::Unknown { reason } => {
            return Decision::Held {
                plan: Plan::Instance {
                    instance: instance.identifier.clone(),
                    zone: instance.availability_zone.clone(),
                    preferred_zone: "the preferred Availability Zone".to_owned(),
                },
                guards: vec![Guard::PreferenceUnknown {
                    reason: reason.clone(),
                }],
            };
        }
        ZonePreference::Zone { zone, .. } => zone,
    };
    if instance.availability_zone.as_deref() == Some(preferred_zone.as_str()) {
        return Decision::NotNeeded(format!(
            "the primary is in the preferred Availability Zone {preferred_zone} already"
        ));
    }
    if !facts.completed_failover {
        return not_completed();
    }
    let plan = Plan::Instance {
        instance: instance.identifier.clone(),
        zone: instance.availability_zone.clone(),
        preferred_zone: preferred_zone.clone(),
    };

    let mut guards = Vec::new();
    if !allow_instance_failback {
        guards.push(Guard::InstanceFailbackDisabled);
    }
    if instance.status != "available" {
        guards.push(Guard::NotAvailable {
            resource: format!("DB instance {}", instance.identifier),
            status: instance.status.clone(),
        });
    }
    if instance.secondary_availability_zone.as_deref() != Some(preferred_zone.as_str()) {
        guards.push(Guard::StandbyElsewhere {
            standby_zone: instance.secondary_availability_zone.clone(),
            preferred_zone: preferred_zone.clone(),
        });
    }
    guards.extend(facts.history_guards());

    if guards.is_empty() {
        Decision::FailBack(plan)
    } else {
        Decision::Held { plan, guards }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preference::Origin;
    use crate::state::MemberState;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid time")
    }

    fn minutes_ago(minutes: i64) -> DateTime<Utc> {
        now() - TimeDelta::minutes(minutes)
    }

    fn member(identifier: &str, is_writer: bool, status: &str) -> MemberState {
        MemberState {
            identifier: identifier.to_owned(),
            arn: None,
            is_writer,
            availability_zone: Some("us-east-1a".to_owned()),
            status: Some(status.to_owned()),
        }
    }

    /// Returns a cluster whose writer moved to `b` after a failover, with `a` preferred.
    fn failed_over_cluster() -> ClusterState {
        ClusterState {
            identifier: "billing".to_owned(),
            status: "available".to_owned(),
            members: vec![
                member("b", true, "available"),
                member("a", false, "available"),
            ],
        }
    }

    fn prefer(identifier: &str) -> WriterPreference {
        WriterPreference::Member {
            identifier: identifier.to_owned(),
            origin: Origin::Config("PREFERRED_WRITERS"),
        }
    }

    fn facts(history: &History) -> Facts<'_> {
        Facts {
            completed_failover: true,
            event_time: minutes_ago(1),
            now: now(),
            history: Ok(history),
            cooldown_minutes: 30,
        }
    }

    fn guards_of(decision: Decision) -> Vec<Guard> {
        match decision {
            Decision::Held { guards, .. } => guards,
            other => panic!("expected held, got {other:?}"),
        }
    }

    #[test]
    fn cluster_fails_back_to_preferred() {
        let history = History::default();
        let decision = decide_cluster(&facts(&history), &failed_over_cluster(), &prefer("a"));
        assert_eq!(
            decision,
            Decision::FailBack(Plan::Cluster {
                cluster: "billing".to_owned(),
                target: "a".to_owned(),
                writer: Some("b".to_owned()),
            })
        );
    }

    #[test]
    fn started_event_never_fails_back() {
        let history = History::default();
        let facts = Facts {
            completed_failover: false,
            ..facts(&history)
        };
        let decision = decide_cluster(&facts, &failed_over_cluster(), &prefer("a"));
        assert_eq!(
            decision,
            Decision::NotNeeded(
                "fail back follows only a completed failover (RDS-EVENT-0071)".to_owned()
            )
        );
    }

    #[test]
    fn late_start_reports_writer_in_place() {
        let history = History::default();
        let facts = Facts {
            completed_failover: false,
            ..facts(&history)
        };
        let decision = decide_cluster(&facts, &failed_over_cluster(), &prefer("b"));
        assert_eq!(
            decision,
            Decision::NotNeeded("the preferred writer b is the writer already".to_owned())
        );
    }

    #[test]
    fn preferred_writer_in_place_is_not_needed() {
        let history = History::default();
        let decision = decide_cluster(&facts(&history), &failed_over_cluster(), &prefer("b"));
        assert_eq!(
            decision,
            Decision::NotNeeded("the preferred writer b is the writer already".to_owned())
        );
    }

    #[test]
    fn failing_over_cluster_is_held() {
        let history = History::default();
        let mut cluster = failed_over_cluster();
        cluster.status = "failing-over".to_owned();
        let guards = guards_of(decide_cluster(&facts(&history), &cluster, &prefer("a")));
        assert_eq!(
            guards,
            vec![Guard::NotAvailable {
                resource: "DB cluster billing".to_owned(),
                status: "failing-over".to_owned(),
            }]
        );
    }

    #[test]
    fn unavailable_target_is_held() {
        let history = History::default();
        let mut cluster = failed_over_cluster();
        cluster.members[1].status = Some("rebooting".to_owned());
        let guards = guards_of(decide_cluster(&facts(&history), &cluster, &prefer("a")));
        assert_eq!(
            guards,
            vec![Guard::TargetNotAvailable {
                target: "a".to_owned(),
                status: Some("rebooting".to_owned()),
            }]
        );
    }

    #[test]
    fn running_failover_in_history_is_held() {
        let history = History::new(vec![
            PastEvent::new(minutes_ago(1), "Completed failover to DB instance: b"),
            PastEvent::new(
                now() - TimeDelta::seconds(10),
                "Started cross AZ failover to DB instance: a",
            ),
        ]);
        let guards = guards_of(decide_cluster(
            &facts(&history),
            &failed_over_cluster(),
            &prefer("a"),
        ));
        assert!(
            matches!(guards.as_slice(), [Guard::FailoverRunning { .. }]),
            "{guards:?}"
        );
    }

    #[test]
    fn second_failover_in_cooldown_is_held() {
        let history = History::new(vec![
            PastEvent::new(minutes_ago(20), "Completed failover to DB instance: b"),
            PastEvent::new(minutes_ago(15), "Completed failover to DB instance: a"),
            PastEvent::new(minutes_ago(1), "Completed failover to DB instance: b"),
        ]);
        let guards = guards_of(decide_cluster(
            &facts(&history),
            &failed_over_cluster(),
            &prefer("a"),
        ));
        assert_eq!(
            guards,
            vec![Guard::Cooldown {
                completed: vec![minutes_ago(20), minutes_ago(15), minutes_ago(1)],
                minutes: 30,
            }]
        );
    }

    #[test]
    fn failover_before_cooldown_does_not_hold() {
        let history = History::new(vec![
            PastEvent::new(minutes_ago(45), "Completed failover to DB instance: b"),
            PastEvent::new(minutes_ago(1), "Completed failover to DB instance: b"),
        ]);
        let decision = decide_cluster(&facts(&history), &failed_over_cluster(), &prefer("a"));
        assert!(matches!(decision, Decision::FailBack(_)), "{decision:?}");
    }

    #[test]
    fn missing_history_is_held() {
        let facts = Facts {
            history: Err("DescribeEvents failed"),
            ..facts(&History::default())
        };
        let guards = guards_of(decide_cluster(&facts, &failed_over_cluster(), &prefer("a")));
        assert_eq!(
            guards,
            vec![Guard::HistoryUnavailable {
                reason: "DescribeEvents failed".to_owned()
            }]
        );
    }

    #[test]
    fn two_tagged_members_are_misconfigured() {
        let history = History::default();
        let preference = WriterPreference::Invalid {
            problem: "2 members are tagged".to_owned(),
        };
        let decision = decide_cluster(&facts(&history), &failed_over_cluster(), &preference);
        assert_eq!(
            decision,
            Decision::Misconfigured("2 members are tagged".to_owned())
        );
    }

    fn failed_over_instance() -> InstanceState {
        InstanceState {
            identifier: "orders".to_owned(),
            arn: None,
            cluster_identifier: None,
            status: "available".to_owned(),
            multi_az: true,
            availability_zone: Some("us-east-1b".to_owned()),
            secondary_availability_zone: Some("us-east-1a".to_owned()),
        }
    }

    fn prefer_zone(zone: &str) -> ZonePreference {
        ZonePreference::Zone {
            zone: zone.to_owned(),
            origin: Origin::Config("PREFERRED_AZS"),
        }
    }

    #[test]
    fn instance_fails_back_when_allowed() {
        let history = History::default();
        let decision = decide_instance(
            &facts(&history),
            &failed_over_instance(),
            &prefer_zone("us-east-1a"),
            true,
        );
        assert_eq!(
            decision,
            Decision::FailBack(Plan::Instance {
                instance: "orders".to_owned(),
                zone: Some("us-east-1b".to_owned()),
                preferred_zone: "us-east-1a".to_owned(),
            })
        );
    }

    #[test]
    fn instance_guards_all_reported() {
        let history = History::default();
        let mut instance = failed_over_instance();
        instance.status = "rebooting".to_owned();
        instance.secondary_availability_zone = Some("us-east-1c".to_owned());
        let guards = guards_of(decide_instance(
            &facts(&history),
            &instance,
            &prefer_zone("us-east-1a"),
            false,
        ));
        assert_eq!(
            guards,
            vec![
                Guard::InstanceFailbackDisabled,
                Guard::NotAvailable {
                    resource: "DB instance orders".to_owned(),
                    status: "rebooting".to_owned(),
                },
                Guard::StandbyElsewhere {
                    standby_zone: Some("us-east-1c".to_owned()),
                    preferred_zone: "us-east-1a".to_owned(),
                },
            ]
        );
    }

    #[test]
    fn primary_in_preferred_zone_is_not_needed() {
        let history = History::default();
        let decision = decide_instance(
            &facts(&history),
            &failed_over_instance(),
            &prefer_zone("us-east-1b"),
            true,
        );
        assert!(matches!(decision, Decision::NotNeeded(_)), "{decision:?}");
    }

    #[test]
    fn guard_texts_name_the_cause() {
        let cooldown = Guard::Cooldown {
            completed: vec![minutes_ago(20), minutes_ago(1)],
            minutes: 30,
        };
        assert_eq!(
            cooldown.to_string(),
            "cooldown: 2 failovers completed in the last 30 minutes (at 2027-01-15 07:40:00, 2027-01-15 07:59:00 UTC); fail back by hand once the writer is stable"
        );
        assert_eq!(
            Guard::ActionTaken.to_string(),
            "another record of this invocation already failed back (one action per invocation)"
        );
    }
}
