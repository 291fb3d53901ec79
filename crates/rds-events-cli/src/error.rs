//! Errors of the command-line tool, and the exit status of each.

use std::io;

use rds_events::ParseError;
use rds_events::policy::PolicyError;

/// A failure that ends a command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The input file or standard input could not be read.
    #[error("failed to read {name}: {source}")]
    ReadInput {
        name: String,
        #[source]
        source: io::Error,
    },
    /// The input is not JSON.
    #[error("{name}: invalid JSON: {source}")]
    InvalidJson {
        name: String,
        #[source]
        source: serde_json::Error,
    },
    /// The input is JSON but neither an SNS event nor an EventBridge event.
    #[error("{name}: {source}")]
    Payload {
        name: String,
        #[source]
        source: ParseError,
    },
    /// Some records failed to parse; each was reported on its own line before.
    #[error("{name}: {failed} of {total} records failed to parse")]
    RecordsFailed {
        name: String,
        failed: usize,
        total: usize,
    },
    /// A route's policy could not be derived.
    #[error("route {route}: {source}")]
    Policy {
        route: &'static str,
        #[source]
        source: PolicyError,
    },
    /// Standard output could not be written.
    #[error("failed to write output: {0}")]
    Output(#[source] io::Error),
}

impl CliError {
    /// Returns the exit status: 2 for input that cannot be read or is not JSON, 1 otherwise.
    /// Usage errors exit with 2 from clap before a command runs.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::ReadInput { .. } | CliError::InvalidJson { .. } => 2,
            CliError::Payload { .. }
            | CliError::RecordsFailed { .. }
            | CliError::Policy { .. }
            | CliError::Output(_) => 1,
        }
    }
}

impl From<io::Error> for CliError {
    fn from(err: io::Error) -> CliError {
        CliError::Output(err)
    }
}
