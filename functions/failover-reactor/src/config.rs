//! failover-reactor's configuration.

use rds_functions::config::{self, ConfigError, Source};
use rds_functions::notify::Format;

/// The function's settings, read once at init.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `NOTIFICATION_TOPIC_ARN`: the SNS topic alerts go to (required).
    pub notification_topic_arn: String,
    /// `NOTIFICATION_FORMAT`: `text` (default) or `chat`.
    pub format: Format,
}

impl Config {
    /// Reads the configuration.
    ///
    /// # Errors
    /// Returns an error naming the first missing or invalid variable.
    pub fn from_source(source: &impl Source) -> Result<Config, ConfigError> {
        Ok(Config {
            notification_topic_arn: config::topic_arn(source, "NOTIFICATION_TOPIC_ARN")?,
            format: Format::from_config(source)?,
        })
    }
}
