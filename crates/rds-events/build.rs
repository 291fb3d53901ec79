//! Turns `data/rds-event-catalogue.tsv` into a static, sorted table of catalogue entries.
//!
//! The generated file contains one `CatalogueEntry` literal per row, sorted by source type and
//! event ID so that `catalogue::lookup` can binary-search it without allocating. A row with an
//! unknown source type or category, a malformed event ID or a duplicate key fails the build,
//! so bad data never reaches a function.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

const CATALOGUE: &str = "data/rds-event-catalogue.tsv";

/// Source types as RDS spells them, with their `SourceType` variant, in declaration order.
const SOURCE_TYPES: &[(&str, &str)] = &[
    ("db-instance", "DbInstance"),
    ("db-cluster", "DbCluster"),
    ("db-parameter-group", "DbParameterGroup"),
    ("db-security-group", "DbSecurityGroup"),
    ("db-snapshot", "DbSnapshot"),
    ("db-cluster-snapshot", "DbClusterSnapshot"),
    ("db-proxy", "DbProxy"),
    ("custom-engine-version", "CustomEngineVersion"),
    ("blue-green-deployment", "BlueGreenDeployment"),
    ("db-shard-group", "DbShardGroup"),
];

/// Categories as RDS spells them, with their `Category` variant.
const CATEGORIES: &[(&str, &str)] = &[
    ("availability", "Availability"),
    ("backtrack", "Backtrack"),
    ("backup", "Backup"),
    ("configuration change", "ConfigurationChange"),
    ("creation", "Creation"),
    ("deletion", "Deletion"),
    ("failover", "Failover"),
    ("failure", "Failure"),
    ("global database", "GlobalDatabase"),
    ("global failover", "GlobalFailover"),
    ("low storage", "LowStorage"),
    ("maintenance", "Maintenance"),
    ("notification", "Notification"),
    ("read replica", "ReadReplica"),
    ("recovery", "Recovery"),
    ("restoration", "Restoration"),
    ("restoring", "Restoring"),
    ("security", "Security"),
    ("security patching", "SecurityPatching"),
    ("serverless", "Serverless"),
];

fn main() {
    println!("cargo::rerun-if-changed={CATALOGUE}");
    let text = fs::read_to_string(CATALOGUE)
        .unwrap_or_else(|err| panic!("cannot read {CATALOGUE}: {err}"));

    let mut rows = BTreeMap::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let line_number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != 5 {
            panic!(
                "{CATALOGUE}:{line_number}: expected 5 tab-separated fields, found {}",
                fields.len()
            );
        }
        let (source_type, category, event_id, message, notes) =
            (fields[0], fields[1], fields[2], fields[3], fields[4]);

        let rank = SOURCE_TYPES
            .iter()
            .position(|(name, _)| *name == source_type)
            .unwrap_or_else(|| {
                panic!("{CATALOGUE}:{line_number}: unknown source type {source_type:?}")
            });
        let number: u32 = event_id
            .strip_prefix("RDS-EVENT-")
            .filter(|digits| digits.len() == 4)
            .and_then(|digits| digits.parse().ok())
            .unwrap_or_else(|| panic!("{CATALOGUE}:{line_number}: invalid event ID {event_id:?}"));
        let categories: Vec<&str> = category
            .split(',')
            .map(|label| {
                let label = label.trim();
                CATEGORIES
                    .iter()
                    .find(|(name, _)| *name == label)
                    .map(|(_, variant)| *variant)
                    .unwrap_or_else(|| {
                        panic!("{CATALOGUE}:{line_number}: unknown category {label:?}")
                    })
            })
            .collect();

        let mut literal = String::new();
        write!(
            literal,
            "CatalogueEntry {{ source_type: SourceType::{}, event_id: EventId::new({number}), \
             categories: &[{}], message: {message:?}, notes: {notes:?} }},",
            SOURCE_TYPES[rank].1,
            categories
                .iter()
                .map(|c| format!("Category::{c}"))
                .collect::<Vec<_>>()
                .join(", "),
        )
        .expect("writing to a String cannot fail");
        if rows.insert((rank, number), literal).is_some() {
            panic!("{CATALOGUE}:{line_number}: duplicate row for {source_type} {event_id}");
        }
    }

    let mut out = format!(
        "/// Every documented RDS event, sorted by source type and event ID.\n\
                           pub(crate) static ENTRIES: [CatalogueEntry; {}] = [\n",
        rows.len()
    );
    for literal in rows.values() {
        out.push_str("    ");
        out.push_str(literal);
        out.push('\n');
    }
    out.push_str("];\n");

    let path =
        PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalogue.rs");
    fs::write(&path, out).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
}
