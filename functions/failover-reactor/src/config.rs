//! failover-reactor's configuration.

use std::collections::BTreeMap;

use rds_functions::config::{self, ConfigError, Source};
use rds_functions::notify::Format;

/// The default of `FAILBACK_COOLDOWN_MINUTES`.
pub const DEFAULT_COOLDOWN_MINUTES: u32 = 30;

/// The maximum cooldown, because DescribeEvents keeps 14 days of events.
pub const MAX_COOLDOWN_MINUTES: u32 = 14 * 24 * 60;

/// The function's settings, read once at init.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `NOTIFICATION_TOPIC_ARN`: the SNS topic alerts go to (required).
    pub notification_topic_arn: String,
    /// `NOTIFICATION_FORMAT`: `text` (default) or `chat`.
    pub format: Format,
    /// The fail back settings.
    pub failback: FailbackConfig,
}

/// The settings of the fail back to a preferred writer or Availability Zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailbackConfig {
    /// `DRY_RUN` (default `true`): report what a fail back would do and change nothing.
    pub dry_run: bool,
    /// `PREFERRED_WRITERS`: the preferred writer instance by cluster identifier. A cluster
    /// named here ignores the instances' `failover-reactor:preferred-writer` tags.
    pub preferred_writers: BTreeMap<String, String>,
    /// `PREFERRED_AZS`: the preferred Availability Zone of the primary by Multi-AZ instance
    /// identifier. An instance named here ignores its `failover-reactor:preferred-az` tag.
    pub preferred_zones: BTreeMap<String, String>,
    /// `FAILBACK_COOLDOWN_MINUTES` (default 30): the window in which two completed failovers
    /// of one source stop a fail back.
    pub cooldown_minutes: u32,
    /// `ALLOW_INSTANCE_FAILBACK` (default `false`): whether a Multi-AZ instance may be
    /// rebooted with failover to bring its primary back to the preferred Availability Zone.
    pub allow_instance_failback: bool,
}

impl Default for FailbackConfig {
    /// Dry run, nothing preferred, the default cooldown, no instance fail back.
    fn default() -> FailbackConfig {
        FailbackConfig {
            dry_run: true,
            preferred_writers: BTreeMap::new(),
            preferred_zones: BTreeMap::new(),
            cooldown_minutes: DEFAULT_COOLDOWN_MINUTES,
            allow_instance_failback: false,
        }
    }
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
            failback: FailbackConfig::from_source(source)?,
        })
    }
}

impl FailbackConfig {
    /// Reads the fail back settings.
    ///
    /// # Errors
    /// Returns an error naming the first invalid variable.
    pub fn from_source(source: &impl Source) -> Result<FailbackConfig, ConfigError> {
        let cooldown_minutes = config::number::<u32>(source, "FAILBACK_COOLDOWN_MINUTES")?
            .unwrap_or(DEFAULT_COOLDOWN_MINUTES);
        if !(1..=MAX_COOLDOWN_MINUTES).contains(&cooldown_minutes) {
            return Err(ConfigError::new(
                "FAILBACK_COOLDOWN_MINUTES",
                format!(
                    "invalid cooldown {cooldown_minutes}; expected 1 to {MAX_COOLDOWN_MINUTES} minutes"
                ),
            ));
        }
        Ok(FailbackConfig {
            dry_run: config::boolean(source, "DRY_RUN", true)?,
            preferred_writers: pairs(source, "PREFERRED_WRITERS", "cluster=instance", |value| {
                check_identifier(value, "instance")
            })?,
            preferred_zones: pairs(source, "PREFERRED_AZS", "instance=zone", check_zone)?,
            cooldown_minutes,
            allow_instance_failback: config::boolean(source, "ALLOW_INSTANCE_FAILBACK", false)?,
        })
    }
}

/// Reads `key=value,key=value` pairs whose keys are RDS identifiers, lower-cased because RDS
/// stores identifiers in lower case. An unset variable is an empty map.
fn pairs(
    source: &impl Source,
    name: &str,
    shape: &str,
    check_value: impl Fn(&str) -> Result<String, String>,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut map = BTreeMap::new();
    let Some(text) = config::optional(source, name) else {
        return Ok(map);
    };
    for entry in text.split(',') {
        let entry = entry.trim();
        let invalid = |problem: String| {
            ConfigError::new(
                name,
                format!("invalid entry {entry:?}: {problem}; expected comma-separated {shape}"),
            )
        };
        let (key, value) = entry
            .split_once('=')
            .ok_or_else(|| invalid("no '='".to_owned()))?;
        let key = check_identifier(key.trim(), "cluster or instance").map_err(&invalid)?;
        let value = check_value(value.trim()).map_err(&invalid)?;
        if map.insert(key.clone(), value).is_some() {
            return Err(invalid(format!("{key} is named twice")));
        }
    }
    Ok(map)
}

/// Checks an RDS identifier (1 to 63 letters, digits and hyphens, starting with a letter, with
/// no trailing or doubled hyphen) and returns it in lower case.
fn check_identifier(text: &str, what: &str) -> Result<String, String> {
    let valid = (1..=63).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !text.ends_with('-')
        && !text.contains("--");
    if valid {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(format!("{text:?} is not a valid {what} identifier"))
    }
}

/// Checks an Availability Zone name such as `us-east-1a` or `us-west-2-lax-1a`.
fn check_zone(text: &str) -> Result<String, String> {
    let valid = text.starts_with(|c: char| c.is_ascii_lowercase())
        && text.ends_with(|c: char| c.is_ascii_lowercase())
        && text.contains(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!("{text:?} is not an Availability Zone name"))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:rds-notifications";

    fn source(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn error_for(pairs: &[(&str, &str)]) -> ConfigError {
        let mut all = vec![("NOTIFICATION_TOPIC_ARN", TOPIC)];
        all.extend_from_slice(pairs);
        Config::from_source(&source(&all)).expect_err("invalid configuration")
    }

    #[test]
    fn defaults_are_safe() {
        let config =
            Config::from_source(&source(&[("NOTIFICATION_TOPIC_ARN", TOPIC)])).expect("valid");
        assert_eq!(config.failback, FailbackConfig::default());
        assert!(config.failback.dry_run);
        assert!(!config.failback.allow_instance_failback);
        assert_eq!(config.failback.cooldown_minutes, 30);
    }

    #[test]
    fn reads_every_variable() {
        let config = Config::from_source(&source(&[
            ("NOTIFICATION_TOPIC_ARN", TOPIC),
            ("DRY_RUN", "false"),
            (
                "PREFERRED_WRITERS",
                "Billing-Aurora=billing-aurora-1, ledger=ledger-b",
            ),
            ("PREFERRED_AZS", "orders-db=us-east-1a"),
            ("FAILBACK_COOLDOWN_MINUTES", "45"),
            ("ALLOW_INSTANCE_FAILBACK", "true"),
        ]))
        .expect("valid");
        let failback = config.failback;
        assert!(!failback.dry_run);
        assert_eq!(
            failback
                .preferred_writers
                .get("billing-aurora")
                .map(String::as_str),
            Some("billing-aurora-1")
        );
        assert_eq!(
            failback.preferred_writers.get("ledger").map(String::as_str),
            Some("ledger-b")
        );
        assert_eq!(
            failback
                .preferred_zones
                .get("orders-db")
                .map(String::as_str),
            Some("us-east-1a")
        );
        assert_eq!(failback.cooldown_minutes, 45);
        assert!(failback.allow_instance_failback);
    }

    #[test]
    fn invalid_values_name_their_variable() {
        let cases = [
            ("DRY_RUN", "perhaps"),
            ("ALLOW_INSTANCE_FAILBACK", "sometimes"),
            ("FAILBACK_COOLDOWN_MINUTES", "ten"),
            ("FAILBACK_COOLDOWN_MINUTES", "0"),
            ("FAILBACK_COOLDOWN_MINUTES", "20161"),
            ("PREFERRED_WRITERS", "billing-aurora"),
            ("PREFERRED_WRITERS", "billing-aurora=1st"),
            ("PREFERRED_WRITERS", "=billing-aurora-1"),
            ("PREFERRED_WRITERS", "a=a-1,"),
            ("PREFERRED_WRITERS", "a=a-1,A=a-2"),
            ("PREFERRED_AZS", "orders-db=east"),
            ("PREFERRED_AZS", "orders-db=us-east-1a=x"),
        ];
        for (variable, value) in cases {
            let error = error_for(&[(variable, value)]);
            assert_eq!(error.variable, variable, "{variable}={value}");
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("environment variable {variable}: invalid")),
                "{variable}={value}: {error}"
            );
        }
    }

    #[test]
    fn duplicate_cluster_is_reported() {
        let error = error_for(&[("PREFERRED_WRITERS", "a=a-1,A=a-2")]);
        assert!(error.to_string().contains("a is named twice"), "{error}");
    }
}
