//! The alert's view of an event: its severity, its title, and whether it completes a
//! failover.

use rds_events::{Category, EventId, RdsEvent, SourceType};
use rds_functions::notify::Severity;

/// Event IDs of failovers and switchovers that failed or were abandoned, although RDS does
/// not file all of them under `failure`: cluster failover failed (0069), user-requested
/// failover abandoned (0034), global switchover and failover failed (0187, 0239), blocking
/// writes for a global database switchover timed out (0391).
const FAILED: [EventId; 5] = [
    EventId::new(34),
    EventId::new(69),
    EventId::new(187),
    EventId::new(239),
    EventId::new(391),
];

/// Cluster events that complete a failover: `Completed failover to DB instance` (0071).
const CLUSTER_FAILOVER_COMPLETED: [EventId; 1] = [EventId::new(71)];

/// Instance events that complete a Multi-AZ failover: `Multi-AZ instance failover completed`
/// (0049) and `Multi-AZ failover to standby complete` (0015). Activation (0050, 0051) and
/// recovery (0052, 0053) events are steps of a failover or of replacing the standby and do
/// not say that the primary has moved.
const INSTANCE_FAILOVER_COMPLETED: [EventId; 2] = [EventId::new(49), EventId::new(15)];

/// Returns how urgent a failover event is. Failed failovers are critical. Every other
/// failover, recovery or switchover event is a warning, because a person should know that
/// the writer moved.
pub fn severity_of(event: &RdsEvent) -> Severity {
    severity_for(event.event_id, &event.categories())
}

/// Returns the severity of an event with this ID and these categories.
pub fn severity_for(event_id: EventId, categories: &[Category]) -> Severity {
    if categories.contains(&Category::Failure) || FAILED.contains(&event_id) {
        Severity::Critical
    } else {
        Severity::Warning
    }
}

/// Returns the alert's title: the source and the event's message.
pub fn title_of(source_id: &str, message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    if message.is_empty() {
        format!("RDS {source_id}: failover event")
    } else {
        format!("RDS {source_id}: {message}")
    }
}

/// Returns true when the event reports a completed failover, the only kind of event that can
/// lead to a fail back.
pub fn completes_failover(source_type: &SourceType, event_id: EventId) -> bool {
    match source_type {
        SourceType::DbCluster => CLUSTER_FAILOVER_COMPLETED.contains(&event_id),
        SourceType::DbInstance => INSTANCE_FAILOVER_COMPLETED.contains(&event_id),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rds_events::route::FAILOVER_REACTOR;
    use rds_functions::notify::{MAX_SUBJECT_CHARS, subject_line};

    use super::*;

    /// Walks every documented event of the route through the severity and title logic.
    #[test]
    fn every_route_event_has_alert() {
        let events = FAILOVER_REACTOR.selector.catalogue_events();
        assert!(events.len() > 40, "{} events", events.len());
        let mut critical = BTreeSet::new();
        let mut completes = BTreeSet::new();
        for entry in events {
            let severity = severity_for(entry.event_id, entry.categories);
            if severity == Severity::Critical {
                critical.insert(entry.event_id.number());
            }
            if completes_failover(&entry.source_type, entry.event_id) {
                completes.insert((entry.source_type.as_str(), entry.event_id.number()));
            }
            let id = "a-cluster-identifier-of-sixty-three-characters-which-is-the-limit";
            let title = title_of(id, entry.message);
            assert!(title.starts_with(&format!("RDS {id}: ")), "{title}");
            let subject = subject_line(&format!("[CRITICAL] {title}"));
            assert!(subject.len() <= MAX_SUBJECT_CHARS, "{subject}");
            assert!(subject.starts_with("[CRITICAL] RDS "), "{subject}");
        }
        assert_eq!(
            critical,
            BTreeSet::from([34, 69, 187, 239, 249, 252, 261, 310, 314, 391, 517]),
            "failed and cancelled failovers and switchovers"
        );
        assert_eq!(
            completes,
            BTreeSet::from([("db-cluster", 71), ("db-instance", 15), ("db-instance", 49)])
        );
    }

    #[test]
    fn title_drops_trailing_period() {
        assert_eq!(
            title_of("orders-db", "Multi-AZ instance failover completed."),
            "RDS orders-db: Multi-AZ instance failover completed"
        );
        assert_eq!(title_of("orders-db", " "), "RDS orders-db: failover event");
    }
}
