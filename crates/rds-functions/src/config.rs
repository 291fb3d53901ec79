//! Configuration from environment variables, read once at init.
//!
//! A missing or invalid value stops init with an error naming the variable, so a
//! misconfigured function fails on its first cold start instead of on its first event.

use std::env;
use std::str::FromStr;

/// A missing or invalid environment variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable {variable}: {problem}")]
pub struct ConfigError {
    /// The variable's name.
    pub variable: String,
    /// The problem with the value.
    pub problem: String,
}

impl ConfigError {
    /// Creates an error for a variable.
    pub fn new(variable: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError {
            variable: variable.to_owned(),
            problem: problem.into(),
        }
    }
}

/// The source of configuration values: the process environment, or a map in tests.
pub trait Source {
    /// Returns the variable's value, or `None` when it is unset.
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Environment;

impl Source for Environment {
    fn get(&self, name: &str) -> Option<String> {
        env::var(name).ok()
    }
}

impl Source for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Reads an optional variable; an unset or blank value is `None`.
pub fn optional(source: &impl Source, name: &str) -> Option<String> {
    source
        .get(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Reads a required variable.
///
/// # Errors
/// Returns an error naming the variable when it is unset or blank.
pub fn required(source: &impl Source, name: &str) -> Result<String, ConfigError> {
    optional(source, name)
        .ok_or_else(|| ConfigError::new(name, "missing; set it to a non-empty value"))
}

/// Reads a boolean (`true`/`false`, `1`/`0`, `yes`/`no`, any case), or `default` when unset.
///
/// # Errors
/// Returns an error naming the variable when the value is not a boolean.
pub fn boolean(source: &impl Source, name: &str, default: bool) -> Result<bool, ConfigError> {
    let Some(value) = optional(source, name) else {
        return Ok(default);
    };
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ConfigError::new(
            name,
            format!("invalid boolean {value:?}; expected true or false"),
        )),
    }
}

/// Reads a number of type `T`, or `None` when unset.
///
/// # Errors
/// Returns an error naming the variable when the value does not parse as `T`.
pub fn number<T: FromStr>(source: &impl Source, name: &str) -> Result<Option<T>, ConfigError> {
    optional(source, name)
        .map(|value| {
            value.parse().map_err(|_| {
                ConfigError::new(
                    name,
                    format!("invalid number {value:?}; expected a non-negative integer"),
                )
            })
        })
        .transpose()
}

/// Reads a value that must be an SNS topic ARN.
///
/// # Errors
/// Returns an error naming the variable when it is missing or not an SNS topic ARN.
pub fn topic_arn(source: &impl Source, name: &str) -> Result<String, ConfigError> {
    let arn = required(source, name)?;
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[5].is_empty() {
        return Err(ConfigError::new(
            name,
            format!(
                "invalid SNS topic ARN {arn:?}; expected arn:PARTITION:sns:REGION:ACCOUNT:NAME"
            ),
        ));
    }
    Ok(arn)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn source(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn required_names_missing_variable() {
        let error = required(&source(&[]), "NOTIFICATION_TOPIC_ARN").expect_err("missing");
        assert_eq!(error.variable, "NOTIFICATION_TOPIC_ARN");
        assert!(
            error
                .to_string()
                .starts_with("environment variable NOTIFICATION_TOPIC_ARN: missing")
        );
    }

    #[test]
    fn blank_counts_as_unset() {
        assert_eq!(optional(&source(&[("X", "  ")]), "X"), None);
    }

    #[test]
    fn boolean_parses_and_rejects() {
        assert_eq!(
            boolean(&source(&[("DRY_RUN", "FALSE")]), "DRY_RUN", true),
            Ok(false)
        );
        assert_eq!(boolean(&source(&[]), "DRY_RUN", true), Ok(true));
        let error =
            boolean(&source(&[("DRY_RUN", "maybe")]), "DRY_RUN", true).expect_err("invalid");
        assert!(error.to_string().contains("\"maybe\""));
    }

    #[test]
    fn number_rejects_text() {
        assert_eq!(number::<u32>(&source(&[("N", "30")]), "N"), Ok(Some(30)));
        assert!(number::<u32>(&source(&[("N", "-1")]), "N").is_err());
    }

    #[test]
    fn topic_arn_checks_shape() {
        let good = "arn:aws:sns:us-east-1:123456789012:notifications";
        assert_eq!(topic_arn(&source(&[("T", good)]), "T").as_deref(), Ok(good));
        let error = topic_arn(&source(&[("T", "notifications")]), "T").expect_err("not an ARN");
        assert!(error.to_string().contains("invalid SNS topic ARN"));
    }
}
