//! backup-notifier's configuration.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rds_functions::config::{self, ConfigError, Source};
use rds_functions::notify::Format;

/// The variables that configure copies, each without effect unless `COPY_TO_REGION` is set.
const COPY_VARIABLES: [&str; 5] = [
    "COPY_KMS_KEY_ID",
    "COPY_RETENTION_DAYS",
    "INCLUDE_DATABASES",
    "EXCLUDE_DATABASES",
    "EXCLUDE_TAG",
];

/// The function's settings, read once at init.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `NOTIFICATION_TOPIC_ARN`: the SNS topic notifications go to (required).
    pub notification_topic_arn: String,
    /// `NOTIFICATION_FORMAT`: `text` (default) or `chat`.
    pub format: Format,
    /// Disaster-recovery copies to another Region; `None` when `COPY_TO_REGION` is unset.
    pub copy: Option<CopySettings>,
}

/// Settings of the disaster-recovery copies: the destination and the snapshots copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySettings {
    /// `COPY_TO_REGION`: the destination Region.
    pub region: String,
    /// `COPY_KMS_KEY_ID`: the KMS key in the destination Region that encrypts copies of
    /// encrypted snapshots.
    pub kms_key_id: Option<String>,
    /// `COPY_RETENTION_DAYS`: after a copy, this function's copies of the same database older
    /// than this many days are deleted. `None` (unset or 0) keeps every copy.
    pub retention_days: Option<u32>,
    /// `INCLUDE_DATABASES`: only databases whose identifier matches are copied.
    pub include: Option<DatabasePatterns>,
    /// `EXCLUDE_DATABASES`: databases whose identifier matches are not copied.
    pub exclude: Option<DatabasePatterns>,
    /// `EXCLUDE_TAG`: databases or snapshots with this tag are not copied.
    pub exclude_tag: Option<Tag>,
}

/// Glob patterns on DB instance or cluster identifiers, matched without regard to case
/// because RDS identifiers are case-insensitive.
#[derive(Debug, Clone)]
pub struct DatabasePatterns {
    patterns: Vec<String>,
    set: GlobSet,
}

impl DatabasePatterns {
    /// Parses comma-separated glob patterns (`orders-*,billing-aurora`).
    ///
    /// # Errors
    /// Returns an error naming the variable when the list has no pattern or a pattern is not
    /// a valid glob.
    pub fn parse(variable: &str, value: &str) -> Result<DatabasePatterns, ConfigError> {
        let patterns: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|pattern| !pattern.is_empty())
            .map(str::to_owned)
            .collect();
        if patterns.is_empty() {
            return Err(ConfigError::new(
                variable,
                format!("invalid pattern list {value:?}; expected comma-separated glob patterns"),
            ));
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in &patterns {
            let glob = GlobBuilder::new(pattern)
                .case_insensitive(true)
                .build()
                .map_err(|err| {
                    ConfigError::new(variable, format!("invalid glob pattern {pattern:?}: {err}"))
                })?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|err| {
            ConfigError::new(variable, format!("invalid glob patterns {value:?}: {err}"))
        })?;
        Ok(DatabasePatterns { patterns, set })
    }

    /// Returns the first pattern that matches the identifier.
    pub fn first_match(&self, identifier: &str) -> Option<&str> {
        self.set
            .matches(identifier)
            .first()
            .map(|index| self.patterns[*index].as_str())
    }

    /// Returns the patterns as configured.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

impl PartialEq for DatabasePatterns {
    fn eq(&self, other: &DatabasePatterns) -> bool {
        self.patterns == other.patterns
    }
}

impl Eq for DatabasePatterns {}

/// A tag key and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value, possibly empty.
    pub value: String,
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
            copy: CopySettings::from_source(source)?,
        })
    }

    /// Returns the copy variables that are set while `COPY_TO_REGION` is not, and so have no
    /// effect.
    pub fn unused_copy_variables(source: &impl Source) -> Vec<&'static str> {
        if config::optional(source, "COPY_TO_REGION").is_some() {
            return Vec::new();
        }
        COPY_VARIABLES
            .into_iter()
            .filter(|variable| config::optional(source, variable).is_some())
            .collect()
    }

    /// Checks the configuration against the function's own Region, known once the SDK
    /// configuration is loaded: a copy into the Region the snapshots are in is no
    /// disaster-recovery copy.
    ///
    /// # Errors
    /// Returns an error naming `COPY_TO_REGION` when it is the function's own Region.
    pub fn check_region(&self, own_region: Option<&str>) -> Result<(), ConfigError> {
        match (&self.copy, own_region) {
            (Some(copy), Some(own)) if copy.region == own => Err(ConfigError::new(
                "COPY_TO_REGION",
                format!(
                    "{own} is the function's own Region; set it to another Region to copy snapshots to"
                ),
            )),
            _ => Ok(()),
        }
    }
}

impl CopySettings {
    /// Reads the copy settings; `None` when `COPY_TO_REGION` is unset, whatever the values of
    /// the other copy variables, so that blanking `COPY_TO_REGION` turns copies off without
    /// stopping notifications.
    ///
    /// # Errors
    /// Returns an error naming the first invalid variable.
    pub fn from_source(source: &impl Source) -> Result<Option<CopySettings>, ConfigError> {
        let Some(region) = config::optional(source, "COPY_TO_REGION") else {
            return Ok(None);
        };
        if !is_region_name(&region) {
            return Err(ConfigError::new(
                "COPY_TO_REGION",
                format!("invalid Region {region:?}; expected a Region name such as us-west-2"),
            ));
        }

        let kms_key_id = config::optional(source, "COPY_KMS_KEY_ID");
        if let Some(key) = &kms_key_id {
            check_kms_key(key, &region)?;
        }

        // 0 keeps every copy, as unset does.
        let retention_days =
            config::number::<u32>(source, "COPY_RETENTION_DAYS")?.filter(|days| *days > 0);

        let patterns = |variable: &str| {
            config::optional(source, variable)
                .map(|value| DatabasePatterns::parse(variable, &value))
                .transpose()
        };
        let include = patterns("INCLUDE_DATABASES")?;
        let exclude = patterns("EXCLUDE_DATABASES")?;

        let exclude_tag = config::optional(source, "EXCLUDE_TAG")
            .map(|value| parse_tag("EXCLUDE_TAG", &value))
            .transpose()?;

        Ok(Some(CopySettings {
            region,
            kms_key_id,
            retention_days,
            include,
            exclude,
            exclude_tag,
        }))
    }
}

/// Returns true for a Region name: lower-case words joined by hyphens, the first of two
/// letters and the last a number (`us-west-2`, `us-gov-west-1`).
fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let words = &parts[..parts.len().saturating_sub(1)];
    parts.len() >= 3
        && parts[0].len() == 2
        && words
            .iter()
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|last| !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks a KMS key identifier: a key or alias ARN in the destination Region, a key ID, or
/// an alias name, which RDS resolves in the destination Region.
fn check_kms_key(key: &str, region: &str) -> Result<(), ConfigError> {
    const VARIABLE: &str = "COPY_KMS_KEY_ID";
    if key.starts_with("arn:") {
        let parts: Vec<&str> = key.splitn(6, ':').collect();
        let resource = parts.get(5).copied().unwrap_or_default();
        if parts.len() != 6
            || parts[2] != "kms"
            || !(resource.starts_with("key/") || resource.starts_with("alias/"))
        {
            return Err(ConfigError::new(
                VARIABLE,
                format!(
                    "invalid KMS key ARN {key:?}; expected arn:PARTITION:kms:REGION:ACCOUNT:key/ID or alias/NAME"
                ),
            ));
        }
        if parts[3] != region {
            return Err(ConfigError::new(
                VARIABLE,
                format!(
                    "the key {key} is in Region {}, but copies go to COPY_TO_REGION {region}; use a key in {region}",
                    parts[3]
                ),
            ));
        }
        return Ok(());
    }
    let valid_character = |c: char| c.is_ascii_alphanumeric() || "-_/".contains(c);
    if !key.chars().all(valid_character) {
        return Err(ConfigError::new(
            VARIABLE,
            format!("invalid KMS key {key:?}; expected a key ARN, key ID or alias/NAME"),
        ));
    }
    Ok(())
}

fn parse_tag(variable: &str, value: &str) -> Result<Tag, ConfigError> {
    match value.split_once('=') {
        Some((key, tag_value)) if !key.trim().is_empty() => Ok(Tag {
            key: key.trim().to_owned(),
            value: tag_value.trim().to_owned(),
        }),
        _ => Err(ConfigError::new(
            variable,
            format!("invalid tag {value:?}; expected KEY=VALUE"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:rds-notifications";

    fn source(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let mut map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        map.insert("NOTIFICATION_TOPIC_ARN".to_owned(), TOPIC.to_owned());
        map
    }

    fn error_for(pairs: &[(&str, &str)]) -> ConfigError {
        Config::from_source(&source(pairs)).expect_err("invalid configuration")
    }

    #[test]
    fn copies_off_by_default() {
        let config = Config::from_source(&source(&[])).expect("valid");
        assert_eq!(config.copy, None);
        assert_eq!(config.format, Format::Text);
    }

    #[test]
    fn full_copy_settings_parse() {
        let config = Config::from_source(&source(&[
            ("COPY_TO_REGION", "us-west-2"),
            (
                "COPY_KMS_KEY_ID",
                "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ),
            ("COPY_RETENTION_DAYS", "14"),
            ("INCLUDE_DATABASES", "orders-*, billing-aurora"),
            ("EXCLUDE_DATABASES", "*-scratch"),
            ("EXCLUDE_TAG", "dr-copy=off"),
        ]))
        .expect("valid");

        let copy = config.copy.expect("copies on");
        assert_eq!(copy.region, "us-west-2");
        assert_eq!(copy.retention_days, Some(14));
        let include = copy.include.expect("include patterns");
        assert_eq!(include.patterns(), ["orders-*", "billing-aurora"]);
        assert_eq!(include.first_match("orders-db"), Some("orders-*"));
        assert_eq!(include.first_match("ORDERS-DB"), Some("orders-*"));
        assert_eq!(include.first_match("billing-aurora-2"), None);

        assert_eq!(
            copy.exclude.expect("exclude").first_match("orders-scratch"),
            Some("*-scratch")
        );
        assert_eq!(
            copy.exclude_tag,
            Some(Tag {
                key: "dr-copy".into(),
                value: "off".into()
            })
        );
    }

    #[test]
    fn copy_variables_without_region_are_ignored() {
        let config = Config::from_source(&source(&[
            ("COPY_RETENTION_DAYS", "7"),
            ("EXCLUDE_TAG", "not a tag"),
        ]))
        .expect("valid");
        assert_eq!(config.copy, None);
        assert_eq!(
            Config::unused_copy_variables(&source(&[("COPY_RETENTION_DAYS", "7")])),
            ["COPY_RETENTION_DAYS"]
        );
    }

    #[test]
    fn zero_retention_keeps_copies() {
        let config = Config::from_source(&source(&[
            ("COPY_TO_REGION", "us-west-2"),
            ("COPY_RETENTION_DAYS", "0"),
        ]))
        .expect("valid");
        assert_eq!(config.copy.expect("copies on").retention_days, None);
    }

    #[test]
    fn invalid_region_is_rejected() {
        for region in ["us_west_2", "uswest2", "US-WEST-2", "us-west-", "west-2"] {
            let error = error_for(&[("COPY_TO_REGION", region)]);
            assert_eq!(error.variable, "COPY_TO_REGION", "{region}");
        }
        for region in [
            "us-west-2",
            "us-gov-west-1",
            "ap-southeast-5",
            "eu-central-1",
        ] {
            assert!(is_region_name(region), "{region}");
        }
    }

    #[test]
    fn key_in_other_region_is_rejected() {
        let error = error_for(&[
            ("COPY_TO_REGION", "us-west-2"),
            (
                "COPY_KMS_KEY_ID",
                "arn:aws:kms:us-east-1:123456789012:key/1234abcd",
            ),
        ]);
        assert_eq!(error.variable, "COPY_KMS_KEY_ID");
        assert!(error.problem.contains("is in Region us-east-1"), "{error}");
    }

    #[test]
    fn key_id_and_alias_are_accepted() {
        for key in ["1234abcd-12ab-34cd-56ef-1234567890ab", "alias/rds-dr"] {
            let config = Config::from_source(&source(&[
                ("COPY_TO_REGION", "us-west-2"),
                ("COPY_KMS_KEY_ID", key),
            ]))
            .expect("valid");
            assert_eq!(config.copy.and_then(|c| c.kms_key_id).as_deref(), Some(key));
        }
        let error = error_for(&[
            ("COPY_TO_REGION", "us-west-2"),
            ("COPY_KMS_KEY_ID", "not a key"),
        ]);
        assert_eq!(error.variable, "COPY_KMS_KEY_ID");
    }

    #[test]
    fn negative_or_text_retention_is_rejected() {
        for days in ["-3", "week", "1.5"] {
            let error = error_for(&[
                ("COPY_TO_REGION", "us-west-2"),
                ("COPY_RETENTION_DAYS", days),
            ]);
            assert_eq!(error.variable, "COPY_RETENTION_DAYS", "{days}");
        }
    }

    #[test]
    fn invalid_glob_is_rejected() {
        let error = error_for(&[
            ("COPY_TO_REGION", "us-west-2"),
            ("EXCLUDE_DATABASES", "orders-[db"),
        ]);
        assert_eq!(error.variable, "EXCLUDE_DATABASES");
        assert!(error.problem.contains("\"orders-[db\""), "{error}");
        let error = error_for(&[
            ("COPY_TO_REGION", "us-west-2"),
            ("INCLUDE_DATABASES", " , "),
        ]);
        assert_eq!(error.variable, "INCLUDE_DATABASES");
    }

    #[test]
    fn tag_without_equals_is_rejected() {
        let error = error_for(&[("COPY_TO_REGION", "us-west-2"), ("EXCLUDE_TAG", "dr-copy")]);
        assert_eq!(error.variable, "EXCLUDE_TAG");
        let error = error_for(&[("COPY_TO_REGION", "us-west-2"), ("EXCLUDE_TAG", "=off")]);
        assert_eq!(error.variable, "EXCLUDE_TAG");
    }

    #[test]
    fn own_region_as_destination_is_rejected() {
        let config =
            Config::from_source(&source(&[("COPY_TO_REGION", "us-east-1")])).expect("parses");
        let error = config
            .check_region(Some("us-east-1"))
            .expect_err("same Region");
        assert_eq!(error.variable, "COPY_TO_REGION");
        assert_eq!(config.check_region(Some("us-west-2")), Ok(()));
    }
}
