//! Identifiers of the disaster-recovery copies, derived from the source snapshot's identifier.
//!
//! The same source always gives the same target, so a second delivery of an event finds the
//! copy already there and does nothing. Targets are always valid RDS identifiers: 1 to 255
//! characters for DB snapshots and 1 to 63 for DB cluster snapshots, letters, digits and
//! hyphens only, a letter first, no two hyphens in a row and no hyphen last.

use sha2::{Digest, Sha256};

/// The kind of snapshot: an instance's DB snapshot or an Aurora DB cluster snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotKind {
    /// A DB snapshot of a DB instance (`CopyDBSnapshot`).
    Db,
    /// A DB cluster snapshot (`CopyDBClusterSnapshot`).
    Cluster,
}

impl SnapshotKind {
    /// Returns the longest identifier RDS accepts for a snapshot of this kind.
    pub fn max_identifier_len(self) -> usize {
        match self {
            SnapshotKind::Db => 255,
            SnapshotKind::Cluster => 63,
        }
    }

    /// Returns the resource type in the snapshot's ARN (`snapshot`, `cluster-snapshot`).
    pub fn arn_resource_type(self) -> &'static str {
        match self {
            SnapshotKind::Db => "snapshot",
            SnapshotKind::Cluster => "cluster-snapshot",
        }
    }
}

/// Hex digits of the SHA-256 of the source identifier appended when the identifier had to
/// change: 32 bits, so distinct sources share a target with odds of about one in four
/// billion per pair.
const HASH_HEX_DIGITS: usize = 8;

/// Derives the identifier of a snapshot's copy.
///
/// A source identifier that is already a valid lower-case identifier within the limit is kept
/// as it is. Any other is rewritten:
/// - letters are lower-cased;
/// - every run of other characters becomes one hyphen, so `rds:` becomes `rds-`;
/// - a leading non-letter gets a `snapshot-` prefix;
/// - the result is cut to leave room for a hyphen and a short hash of the whole source
///   identifier, which keeps distinct sources apart when the rewrite or the cut would make
///   them equal.
pub fn target_identifier(source: &str, kind: SnapshotKind) -> String {
    let max_len = kind.max_identifier_len();
    if is_valid_identifier(source, max_len) && !source.bytes().any(|b| b.is_ascii_uppercase()) {
        return source.to_owned();
    }

    let mut body = String::with_capacity(source.len().min(max_len));
    for character in source.chars() {
        if character.is_ascii_alphanumeric() {
            body.push(character.to_ascii_lowercase());
        } else if !body.is_empty() && !body.ends_with('-') {
            body.push('-');
        }
    }
    if !body.starts_with(|c: char| c.is_ascii_lowercase()) {
        body.insert_str(0, "snapshot-");
    }

    let hash = short_hash(source);
    let room = max_len - HASH_HEX_DIGITS - 1;
    // The body is ASCII here, so any byte index is a character boundary.
    body.truncate(room);
    let body = body.trim_end_matches('-');
    format!("{body}-{hash}")
}

/// Returns true when `identifier` is a valid RDS snapshot identifier of at most `max_len`
/// characters.
pub fn is_valid_identifier(identifier: &str, max_len: usize) -> bool {
    let bytes = identifier.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= max_len
        && bytes[0].is_ascii_alphabetic()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && !identifier.contains("--")
        && !identifier.ends_with('-')
}

fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest
        .iter()
        .take(HASH_HEX_DIGITS / 2)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const KINDS: [SnapshotKind; 2] = [SnapshotKind::Db, SnapshotKind::Cluster];

    #[test]
    fn valid_identifier_is_kept() {
        assert_eq!(
            target_identifier("orders-db-before-upgrade", SnapshotKind::Db),
            "orders-db-before-upgrade"
        );
    }

    #[test]
    fn automated_prefix_is_replaced() {
        let target = target_identifier("rds:orders-db-2026-12-04-03-14", SnapshotKind::Db);
        assert!(
            target.starts_with("rds-orders-db-2026-12-04-03-14-"),
            "{target}"
        );
        assert_eq!(target.len(), "rds-orders-db-2026-12-04-03-14-".len() + 8);
    }

    #[test]
    fn leading_digit_gets_prefix() {
        let target = target_identifier("2026-nightly", SnapshotKind::Db);
        assert!(target.starts_with("snapshot-2026-nightly-"), "{target}");
    }

    #[test]
    fn upper_case_is_rewritten_with_hash() {
        let target = target_identifier("Orders", SnapshotKind::Db);
        assert!(target.starts_with("orders-"), "{target}");
        assert_ne!(target, target_identifier("orders", SnapshotKind::Db));
    }

    #[test]
    fn cluster_target_is_cut_to_63() {
        let source = format!("rds:{}", "billing-aurora-".repeat(10));
        let target = target_identifier(&source, SnapshotKind::Cluster);
        assert!(target.len() <= 63, "{target}");
        assert!(is_valid_identifier(&target, 63), "{target}");
    }

    #[test]
    fn long_valid_cluster_source_is_cut() {
        let source = "a".repeat(64);
        let target = target_identifier(&source, SnapshotKind::Cluster);
        assert_eq!(target.len(), 63);
        assert!(target.starts_with(&"a".repeat(54)));
    }

    #[test]
    fn empty_source_gives_valid_target() {
        let target = target_identifier("", SnapshotKind::Db);
        assert!(target.starts_with("snapshot-"), "{target}");
        assert!(is_valid_identifier(&target, 255));
    }

    proptest! {
        #[test]
        fn target_is_valid_for_any_source(source in any::<String>()) {
            for kind in KINDS {
                let target = target_identifier(&source, kind);
                prop_assert!(
                    is_valid_identifier(&target, kind.max_identifier_len()),
                    "{:?} -> {:?}", source, target
                );
                prop_assert!(!target.bytes().any(|b| b.is_ascii_uppercase()));
            }
        }

        #[test]
        fn target_is_valid_for_long_punctuated_sources(
            source in "[a-zA-Z0-9:_.\\- é漢]{200,600}",
        ) {
            for kind in KINDS {
                let target = target_identifier(&source, kind);
                prop_assert!(is_valid_identifier(&target, kind.max_identifier_len()));
            }
        }

        #[test]
        fn target_is_deterministic(source in any::<String>()) {
            for kind in KINDS {
                prop_assert_eq!(target_identifier(&source, kind), target_identifier(&source, kind));
            }
        }

        #[test]
        fn realistic_sources_give_distinct_targets(
            first in "(rds:)?[a-z][a-z0-9]{0,20}(-[a-z0-9]{1,12}){0,20}",
            second in "(rds:)?[a-z][a-z0-9]{0,20}(-[a-z0-9]{1,12}){0,20}",
        ) {
            prop_assume!(first != second);
            for kind in KINDS {
                prop_assert_ne!(
                    target_identifier(&first, kind),
                    target_identifier(&second, kind),
                    "{:?} and {:?}", first, second
                );
            }
        }

        #[test]
        fn sources_sharing_a_long_prefix_stay_distinct(
            prefix in "[a-z][a-z0-9-]{300}",
            first in "[a-z0-9]{1,8}",
            second in "[a-z0-9]{1,8}",
        ) {
            prop_assume!(first != second);
            for kind in KINDS {
                prop_assert_ne!(
                    target_identifier(&format!("{prefix}{first}"), kind),
                    target_identifier(&format!("{prefix}{second}"), kind)
                );
            }
        }
    }
}
