//! `rds-events catalogue`: lists the documented RDS events, optionally filtered.

use std::io::Write;

use rds_events::catalogue::{self, CatalogueEntry};
use rds_events::{Category, SourceType};

use crate::error::CliError;

/// The header line, the same as in the catalogue's source table (`data/rds-event-catalogue.tsv`).
const HEADER: &str = "source_type\tcategory\tevent_id\tmessage\tnotes";

/// Writes the catalogue entries that match both filters, as a table or as JSON Lines.
pub(crate) fn run(
    source_type: Option<&SourceType>,
    category: Option<&Category>,
    json: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let selected = catalogue::entries().iter().filter(|entry| {
        source_type.is_none_or(|wanted| entry.source_type == *wanted)
            && category.is_none_or(|wanted| entry.categories.contains(wanted))
    });

    if json {
        for entry in selected {
            let line = serde_json::to_string(entry).map_err(|err| CliError::Output(err.into()))?;
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }
    writeln!(out, "{HEADER}")?;
    for entry in selected {
        writeln!(out, "{}", table_row(entry))?;
    }
    Ok(())
}

/// Formats an entry as a row of the table, with categories spelled as the RDS API spells them
/// and joined as the source table joins them (`maintenance, notification`).
fn table_row(entry: &CatalogueEntry) -> String {
    let categories: Vec<&str> = entry.categories.iter().map(Category::as_str).collect();
    format!(
        "{}\t{}\t{}\t{}\t{}",
        entry.source_type,
        categories.join(", "),
        entry.event_id,
        entry.message,
        entry.notes
    )
}
