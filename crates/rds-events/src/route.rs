//! Routes: which RDS events each function handles, as one typed selector per function.
//!
//! A route is the single source of truth for a function's events. The function checks each
//! event against it, and [`crate::policy`] derives from it the SNS subscription filter policy,
//! the EventBridge rule pattern and the RDS event-subscription categories, so code and
//! infrastructure cannot disagree.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::catalogue::{self, CatalogueEntry};
use crate::event::{Category, EventId, RdsEvent, SourceType};

/// The events of one source type that a selector takes: all events in `categories`, plus
/// the events listed in `event_ids`.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Clause {
    /// The source type the clause is about.
    pub source_type: SourceType,
    /// Categories whose events are all taken.
    pub categories: &'static [Category],
    /// Further events taken one by one, where a whole category would take too much.
    pub event_ids: &'static [EventId],
}

impl Clause {
    /// Returns true when an event of this source type, ID and categories is taken.
    pub fn matches(
        &self,
        source_type: &SourceType,
        event_id: EventId,
        categories: &[Category],
    ) -> bool {
        self.source_type == *source_type
            && (self.event_ids.contains(&event_id)
                || categories
                    .iter()
                    .any(|category| self.categories.contains(category)))
    }
}

/// The events one function handles: a set of clauses, at most one per source type.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Selector {
    /// The clauses; an event is selected when any clause matches it.
    pub clauses: &'static [Clause],
}

impl Selector {
    /// Returns true when the selector takes an event of this source type, ID and categories.
    ///
    /// For an event the catalogue lacks, only the clauses' explicit event IDs and the
    /// categories the envelope carried (EventBridge) can match.
    pub fn matches(
        &self,
        source_type: &SourceType,
        event_id: EventId,
        categories: &[Category],
    ) -> bool {
        self.clauses
            .iter()
            .any(|clause| clause.matches(source_type, event_id, categories))
    }

    /// Returns true when the selector takes this event.
    pub fn matches_event(&self, event: &RdsEvent) -> bool {
        self.matches(&event.source_type, event.event_id, &event.categories())
    }

    /// Returns the documented events the selector takes, in catalogue order.
    pub fn catalogue_events(&self) -> Vec<&'static CatalogueEntry> {
        catalogue::entries()
            .iter()
            .filter(|entry| self.matches(&entry.source_type, entry.event_id, entry.categories))
            .collect()
    }

    /// Returns the event IDs a clause takes: its documented events and its explicit IDs.
    pub fn clause_event_ids(&self, clause: &Clause) -> BTreeSet<EventId> {
        let documented = catalogue::entries()
            .iter()
            .filter(|entry| clause.matches(&entry.source_type, entry.event_id, entry.categories))
            .map(|entry| entry.event_id);
        documented.chain(clause.event_ids.iter().copied()).collect()
    }

    /// Checks that the selector is well formed: every clause has a known source type that no
    /// other clause repeats, takes at least one event, and lists only explicit event IDs that
    /// the catalogue documents for its source type.
    ///
    /// # Errors
    /// Returns a message naming the clause and what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = BTreeSet::new();
        for clause in self.clauses {
            let source_type = &clause.source_type;
            if let SourceType::Other(name) = source_type {
                return Err(format!("clause for {name:?}: unknown source type"));
            }
            if !seen.insert(source_type) {
                return Err(format!("clause for {source_type}: source type repeated"));
            }
            if let Some(id) = clause
                .event_ids
                .iter()
                .find(|id| catalogue::lookup(source_type, **id).is_none())
            {
                return Err(format!(
                    "clause for {source_type}: {id} is not documented for this source type"
                ));
            }
            if self.clause_event_ids(clause).is_empty() {
                return Err(format!(
                    "clause for {source_type}: takes no documented event"
                ));
            }
        }
        Ok(())
    }
}

/// A function and the events it handles.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The function's name: its Cargo package, binary and Lambda function name.
    pub name: &'static str,
    /// One line on what the function does with the events.
    pub summary: &'static str,
    /// The events it handles.
    pub selector: Selector,
}

impl Route {
    /// Returns true when the route takes this event.
    pub fn matches_event(&self, event: &RdsEvent) -> bool {
        self.selector.matches_event(event)
    }
}

const fn ids<const N: usize>(numbers: [u32; N]) -> [EventId; N] {
    let mut ids = [EventId::new(0); N];
    let mut index = 0;
    while index < N {
        ids[index] = EventId::new(numbers[index]);
        index += 1;
    }
    ids
}

/// Backups, snapshots, snapshot copies and exports of instances, clusters and their snapshots.
///
/// Progress events of exports (`Table … is in progress`) are left out: they can come every few
/// minutes for hours and ask nothing of a person.
pub static BACKUP_NOTIFIER: Route = Route {
    name: "backup-notifier",
    summary: "notifies about backups, snapshots, snapshot copies and exports",
    selector: Selector {
        clauses: &[
            Clause {
                source_type: SourceType::DbInstance,
                categories: &[Category::Backup],
                // Automated backups disabled and enabled: a disaster-recovery plan depends on
                // them, although RDS files them under configuration change.
                event_ids: &ids([28, 32]),
            },
            Clause {
                source_type: SourceType::DbCluster,
                categories: &[],
                // Export task failed, canceled and completed.
                event_ids: &ids([234, 235, 236]),
            },
            Clause {
                source_type: SourceType::DbSnapshot,
                categories: &[Category::Creation, Category::Deletion, Category::Failure],
                // Snapshot copies started, finished and canceled, and export tasks ended.
                event_ids: &ids([59, 60, 61, 159, 160, 161, 190, 196, 197]),
            },
            Clause {
                source_type: SourceType::DbClusterSnapshot,
                categories: &[Category::Backup, Category::Failure],
                // Export tasks failed, canceled and completed.
                event_ids: &ids([162, 163, 164]),
            },
        ],
    },
};

/// Multi-AZ instance failovers, Aurora cluster and global failovers, and blue/green
/// switchovers.
pub static FAILOVER_REACTOR: Route = Route {
    name: "failover-reactor",
    summary: "reports the writer after a failover and can fail back to a preferred writer",
    selector: Selector {
        clauses: &[
            Clause {
                source_type: SourceType::DbInstance,
                categories: &[Category::Failover],
                // Restarted; crash recovery started and completed; Multi-AZ and standby
                // recovery started and completed; a global database switchover blocking
                // writes succeeded or timed out.
                event_ids: &ids([6, 20, 21, 52, 53, 361, 362, 390, 391]),
            },
            Clause {
                source_type: SourceType::DbCluster,
                categories: &[Category::Failover, Category::GlobalFailover],
                // A version upgrade cancelled because the global database failed over.
                event_ids: &ids([517]),
            },
            Clause {
                source_type: SourceType::BlueGreenDeployment,
                categories: &[],
                // Switchovers of instances and clusters: started, completed, canceled; the
                // sequence sync of a switchover cancelled.
                event_ids: &ids([247, 248, 249, 250, 251, 252, 259, 260, 261, 310, 314]),
            },
        ],
    },
};

/// Every route, one per function.
pub static ROUTES: [&Route; 2] = [&BACKUP_NOTIFIER, &FAILOVER_REACTOR];

/// Finds a route by function name.
pub fn find(name: &str) -> Option<&'static Route> {
    ROUTES.iter().copied().find(|route| route.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_valid() {
        for route in ROUTES {
            assert_eq!(route.selector.validate(), Ok(()), "route {}", route.name);
        }
    }

    #[test]
    fn backup_route_takes_backup_events() {
        let selector = &BACKUP_NOTIFIER.selector;
        assert!(selector.matches(
            &SourceType::DbInstance,
            EventId::new(2),
            &[Category::Backup]
        ));
        assert!(selector.matches(
            &SourceType::DbSnapshot,
            EventId::new(91),
            &[Category::Creation]
        ));
        assert!(selector.matches(
            &SourceType::DbClusterSnapshot,
            EventId::new(169),
            &[Category::Backup]
        ));
        assert!(!selector.matches(
            &SourceType::DbInstance,
            EventId::new(49),
            &[Category::Failover]
        ));
        assert!(!selector.matches(
            &SourceType::DbSnapshot,
            EventId::new(487),
            &[Category::Notification]
        ));
    }

    #[test]
    fn failover_route_takes_failover_events() {
        let selector = &FAILOVER_REACTOR.selector;
        assert!(selector.matches(
            &SourceType::DbInstance,
            EventId::new(49),
            &[Category::Failover]
        ));
        assert!(selector.matches(
            &SourceType::DbCluster,
            EventId::new(71),
            &[Category::Failover]
        ));
        assert!(selector.matches(
            &SourceType::DbCluster,
            EventId::new(185),
            &[Category::GlobalFailover]
        ));
        assert!(selector.matches(&SourceType::BlueGreenDeployment, EventId::new(248), &[]));
        assert!(!selector.matches(
            &SourceType::DbInstance,
            EventId::new(2),
            &[Category::Backup]
        ));
        assert!(!selector.matches(
            &SourceType::BlueGreenDeployment,
            EventId::new(244),
            &[Category::Creation]
        ));
    }

    #[test]
    fn unknown_event_matches_by_delivered_category() {
        let selector = &FAILOVER_REACTOR.selector;
        assert!(selector.matches(
            &SourceType::DbCluster,
            EventId::new(9999),
            &[Category::Failover]
        ));
        assert!(!selector.matches(&SourceType::DbCluster, EventId::new(9999), &[]));
    }

    #[test]
    fn find_returns_route_by_name() {
        assert_eq!(
            find("backup-notifier").map(|route| route.name),
            Some("backup-notifier")
        );
        assert!(find("no-such-function").is_none());
    }

    #[test]
    fn validate_rejects_undocumented_id() {
        static BAD: Selector = Selector {
            clauses: &[Clause {
                source_type: SourceType::DbProxy,
                categories: &[],
                event_ids: &ids([2]),
            }],
        };
        let error = BAD
            .validate()
            .expect_err("RDS-EVENT-0002 is not a proxy event");
        assert!(error.contains("RDS-EVENT-0002"), "{error}");
    }
}
