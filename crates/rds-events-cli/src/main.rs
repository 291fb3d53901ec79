//! `rds-events`: explains RDS event payloads, prints the policies derived from each route, and
//! lists the catalogue of documented RDS events.
//!
//! Exit status: 0 on success, 1 when a record or a payload failed to parse, 2 for usage errors
//! and input that cannot be read or is not JSON.

mod catalogue;
mod error;
mod explain;
mod policy;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rds_events::route::{self, ROUTES, Route};
use rds_events::{Category, SourceType};

use crate::error::CliError;

/// Explain RDS event payloads, print route policies and list the RDS event catalogue.
#[derive(Debug, Parser)]
#[command(name = "rds-events", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse an SNS or EventBridge payload and explain every record: the typed event, its
    /// categories, the documented message and the routes that receive it.
    ///
    /// A record that fails to parse is reported on standard error, and the other records are
    /// still explained. Exit status: 0 when every record parsed, 1 when a record or the whole
    /// payload failed to parse, 2 when the file cannot be read or is not JSON.
    ///
    /// With --json, each line is one record: `record` (its index in `Records`, 0 for an
    /// EventBridge event), `kind` (`event`, `subscription_notice` or `error`), and for an
    /// event `event_id`, `source_type`, `source_id`, `source_arn`, `time`, `message`,
    /// `categories`, `documented_message`, `notes`, `identifier_link`, `tags`, `extra`,
    /// `routes`, `sns_filter_only_routes`, `sns_filter_dropped_routes` and `delivery`. A
    /// notice has `message_id` and `text`, and an error has `id`, `field` and `error`.
    Explain {
        /// The payload file, as Lambda receives it, or `-` for standard input.
        file: PathBuf,
        /// Print one JSON object per record, one per line (JSON Lines), instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print what the infrastructure needs for one route, as pretty JSON.
    Policy {
        #[arg(value_parser = parse_route, help = route_help())]
        route: &'static Route,
        /// The output: the SNS subscription filter policy (MessageBody scope), the EventBridge
        /// rule pattern, or the RDS event subscriptions (source type and categories).
        #[arg(long, value_enum, default_value_t = PolicyFormat::Sns)]
        format: PolicyFormat,
    },
    /// List the documented RDS events, as a tab-separated table with a header line.
    Catalogue {
        /// Keep only events of this source type, spelled as RDS (`db-instance`) or EventBridge
        /// (`DB_INSTANCE`) spells it.
        #[arg(long, value_name = "TYPE", value_parser = parse_source_type)]
        source_type: Option<SourceType>,
        /// Keep only events of this category (`backup`, `"configuration change"`).
        #[arg(long, value_parser = parse_category)]
        category: Option<Category>,
        /// Print one JSON object per event, one per line (JSON Lines), instead of the table.
        #[arg(long)]
        json: bool,
    },
}

/// The output format of `rds-events policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PolicyFormat {
    /// The SNS subscription filter policy, for `FilterPolicyScope: MessageBody`.
    Sns,
    /// The EventBridge rule event pattern.
    Eventbridge,
    /// The RDS event subscriptions: one source type and its categories each.
    Subscription,
}

fn route_names() -> String {
    ROUTES
        .iter()
        .map(|route| route.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn route_help() -> String {
    format!("The route, named after its function: {}", route_names())
}

fn parse_route(name: &str) -> Result<&'static Route, String> {
    route::find(name).ok_or_else(|| format!("unknown route; known routes: {}", route_names()))
}

fn parse_source_type(name: &str) -> Result<SourceType, String> {
    match SourceType::from_eventbridge(name) {
        SourceType::Other(_) => {
            let known: Vec<String> = SourceType::KNOWN
                .iter()
                .map(|known| match known.eventbridge_name() {
                    Some(eventbridge) => format!("{known} ({eventbridge})"),
                    None => known.to_string(),
                })
                .collect();
            Err(format!(
                "unknown source type; known source types (with their EventBridge names): {}",
                known.join(", ")
            ))
        }
        known => Ok(known),
    }
}

fn parse_category(name: &str) -> Result<Category, String> {
    match Category::from_name(name) {
        Category::Other(_) => {
            let mut known: Vec<&str> = rds_events::catalogue::entries()
                .iter()
                .flat_map(|entry| entry.categories.iter().map(Category::as_str))
                .collect();
            known.sort_unstable();
            known.dedup();
            Err(format!(
                "unknown category; known categories: {}",
                known.join(", ")
            ))
        }
        known => Ok(known),
    }
}

fn run(command: Command, out: &mut impl Write) -> Result<(), CliError> {
    match command {
        Command::Explain { file, json } => explain::run(&file, json, out),
        Command::Policy { route, format } => policy::run(route, format, out),
        Command::Catalogue {
            source_type,
            category,
            json,
        } => catalogue::run(source_type.as_ref(), category.as_ref(), json, out),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(cli.command, &mut out).and_then(|()| out.flush().map_err(CliError::Output));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stops early, such as `head`, is not an error.
        Err(CliError::Output(err)) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
