//! The severity of each backup event.

use rds_events::{Category, EventId, RdsEvent};
use rds_functions::notify::Severity;

/// Event IDs whose event means something failed, although RDS files them under
/// `notification` or `backup`: snapshot and cluster exports that failed (0159, 0162, 0234),
/// and an option group RDS could not associate with an instance (0086).
const FAILED_WITHOUT_FAILURE_CATEGORY: [EventId; 4] = [
    EventId::new(86),
    EventId::new(159),
    EventId::new(162),
    EventId::new(234),
];

/// Event IDs whose event means a copy or export was cancelled.
const CANCELLED: [EventId; 5] = [
    EventId::new(61),
    EventId::new(160),
    EventId::new(163),
    EventId::new(190),
    EventId::new(235),
];

/// Event IDs whose event leaves a database without automated backups: backups disabled
/// (0028).
const BACKUPS_DISABLED: [EventId; 1] = [EventId::new(28)];

/// Returns how urgent a backup event is: failures are critical; cancellations, deletions and
/// disabled backups are warnings; the rest is informational.
pub fn severity_of(event: &RdsEvent) -> Severity {
    let categories = event.categories();
    if categories.contains(&Category::Failure)
        || FAILED_WITHOUT_FAILURE_CATEGORY.contains(&event.event_id)
    {
        Severity::Critical
    } else if categories.contains(&Category::Deletion)
        || CANCELLED.contains(&event.event_id)
        || BACKUPS_DISABLED.contains(&event.event_id)
    {
        Severity::Warning
    } else {
        Severity::Info
    }
}

#[cfg(test)]
mod tests {
    use rds_events::SourceType;
    use rds_events::catalogue::CatalogueEntry;
    use rds_events::route::BACKUP_NOTIFIER;
    use serde_json::json;

    use super::*;

    /// Every event of the route with its expected severity. A new catalogue event that the
    /// route takes fails the walk below until it is classified here.
    const EXPECTED: &[(&str, u32, Severity)] = &[
        ("db-instance", 1, Severity::Info),
        ("db-instance", 2, Severity::Info),
        ("db-instance", 28, Severity::Warning),
        ("db-instance", 32, Severity::Info),
        ("db-instance", 75, Severity::Info),
        ("db-instance", 86, Severity::Critical),
        ("db-cluster", 234, Severity::Critical),
        ("db-cluster", 235, Severity::Warning),
        ("db-cluster", 236, Severity::Info),
        ("db-snapshot", 40, Severity::Info),
        ("db-snapshot", 41, Severity::Warning),
        ("db-snapshot", 42, Severity::Info),
        ("db-snapshot", 59, Severity::Info),
        ("db-snapshot", 60, Severity::Info),
        ("db-snapshot", 61, Severity::Warning),
        ("db-snapshot", 90, Severity::Info),
        ("db-snapshot", 91, Severity::Info),
        ("db-snapshot", 159, Severity::Critical),
        ("db-snapshot", 160, Severity::Warning),
        ("db-snapshot", 161, Severity::Info),
        ("db-snapshot", 190, Severity::Warning),
        ("db-snapshot", 196, Severity::Info),
        ("db-snapshot", 197, Severity::Info),
        ("db-snapshot", 484, Severity::Critical),
        ("db-cluster-snapshot", 74, Severity::Info),
        ("db-cluster-snapshot", 75, Severity::Info),
        ("db-cluster-snapshot", 162, Severity::Critical),
        ("db-cluster-snapshot", 163, Severity::Warning),
        ("db-cluster-snapshot", 164, Severity::Info),
        ("db-cluster-snapshot", 168, Severity::Info),
        ("db-cluster-snapshot", 169, Severity::Info),
        ("db-cluster-snapshot", 489, Severity::Critical),
    ];

    /// Builds the event RDS would send through SNS for a catalogue entry.
    fn event_for(entry: &CatalogueEntry) -> RdsEvent {
        let message = json!({
            "Event Source": entry.source_type.as_str(),
            "Event Time": "2026-12-04 03:14:52.117",
            "Source ID": "orders-db",
            "Event ID": format!("http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#{}", entry.event_id),
            "Event Message": "message",
        });
        // The sample's envelope, with the entry's RDS message inside.
        let mut payload: serde_json::Value =
            serde_json::from_str(include_str!("../../../events/sns-backup-finished.json"))
                .expect("sample is JSON");
        payload["Records"][0]["Sns"]["Message"] = message.to_string().into();
        let mut records = rds_events::parse_payload(&payload).expect("payload parses");
        match records.pop() {
            Some(Ok(rds_events::Notification::Event(event))) => *event,
            other => panic!("expected one event, got {other:?}"),
        }
    }

    #[test]
    fn every_route_event_has_expected_severity() {
        let events = BACKUP_NOTIFIER.selector.catalogue_events();
        assert!(!events.is_empty());
        let mut checked = 0;
        for entry in events {
            let expected = EXPECTED
                .iter()
                .find(|(source_type, number, _)| {
                    SourceType::from_rds(source_type) == entry.source_type
                        && entry.event_id.number() == *number
                })
                .map(|(_, _, severity)| *severity);
            let Some(expected) = expected else {
                panic!(
                    "{} of {} is in the route but has no expected severity",
                    entry.event_id, entry.source_type
                );
            };
            let event = event_for(entry);
            assert_eq!(
                severity_of(&event),
                expected,
                "{} of {}",
                entry.event_id,
                entry.source_type
            );
            checked += 1;
        }
        assert_eq!(checked, EXPECTED.len(), "a listed event left the route");
    }
}
