//! `rds-events explain`: parses a payload and explains each record, as text or JSON Lines.

use std::io::{self, Read, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use rds_events::route::{ROUTES, Route};
use rds_events::{Delivery, Notification, ParseError, RdsEvent, parse_payload, policy};
use serde_json::{Value, json};

use crate::error::CliError;

/// Width of the labels in the text output.
const LABEL_WIDTH: usize = 20;

/// Parses the payload in `file` (`-` for standard input) and writes one explanation per
/// record. A record that fails to parse is reported on standard error and in the JSON output,
/// and the records after it are still explained.
pub(crate) fn run(file: &Path, json: bool, out: &mut impl Write) -> Result<(), CliError> {
    let (name, text) = read_input(file)?;
    let payload: Value = serde_json::from_str(&text).map_err(|source| CliError::InvalidJson {
        name: name.clone(),
        source,
    })?;
    let records = parse_payload(&payload).map_err(|source| CliError::Payload {
        name: name.clone(),
        source,
    })?;
    let is_sns = payload.get("Records").is_some();

    let mut failed = 0;
    for (index, record) in records.iter().enumerate() {
        let place = if is_sns {
            format!("Records[{index}]")
        } else {
            "event".to_owned()
        };
        if let Err(error) = record {
            failed += 1;
            eprintln!("error: {name}: {place}: {error}");
        }
        if json {
            writeln!(out, "{}", record_json(index, record))?;
        } else {
            if index > 0 {
                writeln!(out)?;
            }
            write_record_text(out, &name, &place, record)?;
        }
    }

    if failed > 0 {
        return Err(CliError::RecordsFailed {
            name,
            failed,
            total: records.len(),
        });
    }
    Ok(())
}

/// Reads the whole input, returning the name to show in messages and the text.
fn read_input(file: &Path) -> Result<(String, String), CliError> {
    let mut text = String::new();
    if file == Path::new("-") {
        let name = "standard input".to_owned();
        return match io::stdin().read_to_string(&mut text) {
            Ok(_) => Ok((name, text)),
            Err(source) => Err(CliError::ReadInput { name, source }),
        };
    }
    let name = file.display().to_string();
    match std::fs::read_to_string(file) {
        Ok(text) => Ok((name, text)),
        Err(source) => Err(CliError::ReadInput { name, source }),
    }
}

/// The routes of an event, grouped by whether the function and its SNS filter policy take it.
struct RouteVerdicts {
    /// Routes whose function handles the event.
    handled_by: Vec<&'static str>,
    /// Routes whose SNS filter policy lets the event through although the function skips it.
    filter_only: Vec<&'static str>,
    /// Routes whose function would handle the event but whose SNS filter policy drops it, so
    /// only EventBridge can deliver it to them.
    dropped_by_filter: Vec<&'static str>,
}

fn route_verdicts(event: &RdsEvent) -> RouteVerdicts {
    let mut verdicts = RouteVerdicts {
        handled_by: Vec::new(),
        filter_only: Vec::new(),
        dropped_by_filter: Vec::new(),
    };
    for route in ROUTES {
        let takes = route.matches_event(event);
        let admits = admitted_by_sns_filter(route, event);
        if takes {
            verdicts.handled_by.push(route.name);
        }
        if admits && !takes {
            verdicts.filter_only.push(route.name);
        }
        if takes && !admits {
            verdicts.dropped_by_filter.push(route.name);
        }
    }
    verdicts
}

fn admitted_by_sns_filter(route: &Route, event: &RdsEvent) -> bool {
    policy::sns_policy_admits(&route.selector, &event.source_type, event.event_id)
}

fn record_json(index: usize, record: &Result<Notification, ParseError>) -> Value {
    match record {
        Ok(Notification::Event(event)) => event_json(index, event),
        Ok(Notification::SubscriptionNotice { message_id, text }) => json!({
            "record": index,
            "kind": "subscription_notice",
            "message_id": message_id,
            "text": text,
        }),
        Err(error) => json!({
            "record": index,
            "kind": "error",
            "id": error.id,
            "field": error.field,
            "error": error.to_string(),
        }),
    }
}

fn event_json(index: usize, event: &RdsEvent) -> Value {
    let entry = event.catalogue_entry();
    let verdicts = route_verdicts(event);
    json!({
        "record": index,
        "kind": "event",
        "event_id": event.event_id,
        "source_type": event.source_type,
        "source_id": event.source_id,
        "source_arn": event.source_arn,
        "time": event.time,
        "message": event.message,
        "categories": event.categories(),
        "documented_message": entry.map(|entry| entry.message),
        "notes": entry.map(|entry| entry.notes),
        "identifier_link": event.identifier_link,
        "tags": event.tags,
        "extra": event.extra,
        "routes": verdicts.handled_by,
        "sns_filter_only_routes": verdicts.filter_only,
        "sns_filter_dropped_routes": verdicts.dropped_by_filter,
        "delivery": event.delivery,
    })
}

fn write_field(out: &mut impl Write, label: &str, value: &str) -> io::Result<()> {
    writeln!(out, "  {label:<LABEL_WIDTH$}{value}")
}

fn write_record_text(
    out: &mut impl Write,
    name: &str,
    place: &str,
    record: &Result<Notification, ParseError>,
) -> io::Result<()> {
    match record {
        Ok(Notification::Event(event)) => write_event_text(out, name, place, event),
        Ok(Notification::SubscriptionNotice { message_id, text }) => {
            writeln!(out, "{name} {place}: SNS message {message_id}")?;
            write_field(out, "subscription notice", text)?;
            write_field(
                out,
                "routes",
                "none: functions skip this notice without an error",
            )
        }
        Err(error) => {
            writeln!(out, "{name} {place}: failed to parse")?;
            write_field(out, "error", &error.to_string())
        }
    }
}

fn write_event_text(
    out: &mut impl Write,
    name: &str,
    place: &str,
    event: &RdsEvent,
) -> io::Result<()> {
    let entry = event.catalogue_entry();
    let verdicts = route_verdicts(event);
    let (envelope, envelope_id) = match &event.delivery {
        Delivery::Sns { message_id, .. } => ("SNS message", message_id),
        Delivery::EventBridge { id, .. } => ("EventBridge event", id),
    };
    writeln!(out, "{name} {place}: {envelope} {envelope_id}")?;

    write_field(out, "event ID", &event.event_id.to_string())?;
    write_field(out, "source type", event.source_type.as_str())?;
    write_field(out, "source ID", &event.source_id)?;
    write_field(
        out,
        "source ARN",
        event.source_arn.as_deref().unwrap_or("none"),
    )?;
    write_field(out, "time", &utc_text(&event.time))?;
    write_field(out, "message", &event.message)?;

    let categories = event.categories();
    let categories_text = if categories.is_empty() {
        "none (the catalogue does not list this event)".to_owned()
    } else {
        let names: Vec<&str> = categories
            .iter()
            .map(|category| category.as_str())
            .collect();
        let origin = if event.delivered_categories.is_empty() {
            "from the catalogue"
        } else {
            "from the envelope"
        };
        format!("{} ({origin})", names.join(", "))
    };
    write_field(out, "categories", &categories_text)?;

    match entry {
        Some(entry) => {
            write_field(out, "documented message", entry.message)?;
            if !entry.notes.is_empty() {
                write_field(out, "notes", entry.notes)?;
            }
        }
        None => write_field(
            out,
            "documented message",
            &format!(
                "none: the catalogue has no {} for {}",
                event.event_id, event.source_type
            ),
        )?,
    }

    if let Some(link) = &event.identifier_link {
        write_field(out, "identifier link", link)?;
    }
    if !event.tags.is_empty() {
        write_field(out, "tags", &Value::Object(event.tags.clone()).to_string())?;
    }
    if !event.extra.is_empty() {
        write_field(
            out,
            "other keys",
            &Value::Object(event.extra.clone()).to_string(),
        )?;
    }
    write_field(out, "delivery", &delivery_text(&event.delivery))?;

    if verdicts.handled_by.is_empty() {
        write_field(out, "routes", "none: no function handles this event")?;
    } else {
        write_field(out, "routes", &verdicts.handled_by.join(", "))?;
    }
    for route in verdicts.filter_only {
        write_field(
            out,
            "SNS filter only",
            &format!(
                "{route}: its SNS filter policy lets this event through, and the function skips it"
            ),
        )?;
    }
    for route in verdicts.dropped_by_filter {
        write_field(
            out,
            "EventBridge only",
            &format!("{route}: takes this event, but its SNS filter policy drops it"),
        )?;
    }
    Ok(())
}

fn delivery_text(delivery: &Delivery) -> String {
    match delivery {
        Delivery::Sns {
            topic_arn,
            timestamp,
            ..
        } => format!("SNS topic {topic_arn}, published {}", utc_text(timestamp)),
        Delivery::EventBridge {
            detail_type,
            account,
            region,
            ..
        } => format!(
            "EventBridge, detail-type {detail_type:?}, account {}, region {}",
            account.as_deref().unwrap_or("unknown"),
            region.as_deref().unwrap_or("unknown"),
        ),
    }
}

fn utc_text(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
