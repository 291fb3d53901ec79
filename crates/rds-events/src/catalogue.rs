//! Every documented RDS event: source type, event ID, categories and message.
//!
//! The table is generated at build time from `data/rds-event-catalogue.tsv`, which merges the
//! event tables of the Amazon RDS and Aurora user guides (rows whose notes start with
//! `legacy-doc:` come from earlier revisions of those guides). Event IDs are documented per
//! source type: `RDS-EVENT-0075` is a user snapshot of a DB instance and a manual cluster
//! snapshot of a cluster snapshot, so the key is the pair.

use serde::Serialize;

use crate::event::{Category, EventId, SourceType};

/// One documented RDS event.
#[derive(Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CatalogueEntry {
    /// The source type the event is documented for.
    pub source_type: SourceType,
    /// The event ID.
    pub event_id: EventId,
    /// The documented categories; most events have one, a few have two
    /// (`maintenance, notification`).
    pub categories: &'static [Category],
    /// The documented message, with placeholders such as `{{name}}`. Real messages often
    /// differ in case and punctuation, so match on the event ID, not the text.
    pub message: &'static str,
    /// Scope and provenance notes: `aurora-guide`, `rds-guide-only`, engine limits, and
    /// `legacy-doc:` for events no longer on the current pages.
    pub notes: &'static str,
}

impl CatalogueEntry {
    /// Returns true when the event is listed only in earlier revisions of the user guides.
    pub fn is_legacy(&self) -> bool {
        self.notes.starts_with("legacy-doc:")
    }
}

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// Returns every documented event, sorted by source type and event ID.
pub fn entries() -> &'static [CatalogueEntry] {
    &ENTRIES
}

/// Finds the documented event for a source type and event ID, without allocating.
pub fn lookup(source_type: &SourceType, event_id: EventId) -> Option<&'static CatalogueEntry> {
    ENTRIES
        .binary_search_by(|entry| {
            (&entry.source_type, entry.event_id).cmp(&(source_type, event_id))
        })
        .ok()
        .map(|index| &ENTRIES[index])
}

/// Returns the documented events with this ID, one per source type that documents it.
pub fn with_event_id(event_id: EventId) -> impl Iterator<Item = &'static CatalogueEntry> {
    ENTRIES
        .iter()
        .filter(move |entry| entry.event_id == event_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = include_str!("../data/rds-event-catalogue.tsv");

    #[test]
    fn table_matches_every_tsv_row() {
        let rows: Vec<&str> = TSV
            .lines()
            .skip(1)
            .filter(|line| !line.is_empty())
            .collect();
        assert_eq!(rows.len(), 346);
        assert_eq!(entries().len(), rows.len());

        for row in rows {
            let fields: Vec<&str> = row.split('\t').collect();
            let source_type = SourceType::from_rds(fields[0]);
            let event_id = EventId::parse(fields[2]).expect("catalogue IDs are valid");
            let entry = lookup(&source_type, event_id)
                .unwrap_or_else(|| panic!("{} {} missing from the table", fields[0], fields[2]));
            let labels: Vec<Category> = fields[1].split(", ").map(Category::from_name).collect();
            assert_eq!(entry.categories, labels.as_slice(), "categories of {row}");
            assert_eq!(entry.message, fields[3], "message of {row}");
            assert_eq!(entry.notes, fields[4], "notes of {row}");
            assert_eq!(entry.source_type.as_str(), fields[0]);
            assert_eq!(entry.event_id.to_string(), fields[2]);
            assert!(!matches!(entry.source_type, SourceType::Other(_)));
            assert!(
                entry
                    .categories
                    .iter()
                    .all(|c| !matches!(c, Category::Other(_)))
            );
        }
    }

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in entries().windows(2) {
            assert!(
                (&pair[0].source_type, pair[0].event_id) < (&pair[1].source_type, pair[1].event_id),
                "{} {} is out of order",
                pair[1].source_type,
                pair[1].event_id
            );
        }
    }

    #[test]
    fn same_id_differs_by_source_type() {
        let instance = lookup(&SourceType::DbInstance, EventId::new(75)).expect("documented");
        let snapshot =
            lookup(&SourceType::DbClusterSnapshot, EventId::new(75)).expect("documented");
        assert_eq!(
            instance.message,
            "RDS finished creating a user-initiated snapshot."
        );
        assert_eq!(snapshot.message, "Manual cluster snapshot created.");
        assert_eq!(with_event_id(EventId::new(75)).count(), 2);
    }

    #[test]
    fn lookup_misses_unknown_pairs() {
        assert!(lookup(&SourceType::DbProxy, EventId::new(2)).is_none());
        assert!(lookup(&SourceType::Other("db-new".into()), EventId::new(2)).is_none());
        assert!(lookup(&SourceType::DbInstance, EventId::new(9999)).is_none());
    }

    #[test]
    fn global_failover_uses_api_spelling() {
        let entry = lookup(&SourceType::DbCluster, EventId::new(185)).expect("documented");
        assert_eq!(entry.categories, &[Category::GlobalFailover]);
        assert_eq!(Category::GlobalFailover.as_str(), "global-failover");
        assert_eq!(
            Category::from_name("global failover"),
            Category::GlobalFailover
        );
        assert_eq!(
            Category::from_name("Global-Failover"),
            Category::GlobalFailover
        );
    }

    #[test]
    fn combined_labels_split_into_categories() {
        let combined = entries()
            .iter()
            .find(|entry| entry.categories.len() == 2)
            .expect("the catalogue has rows with two labels");
        assert_ne!(combined.categories[0], combined.categories[1]);
        assert_eq!(
            entries().iter().filter(|entry| entry.is_legacy()).count(),
            11
        );
    }
}
