//! The preferred writer of a cluster and the preferred Availability Zone of a Multi-AZ
//! instance's primary, from the configuration or else from tags on the DB instances.

use std::fmt;

use aws_sdk_rds::Client;

use crate::config::FailbackConfig;
use crate::state::{ClusterState, InstanceState};

/// The tag that marks a cluster member as the preferred writer (value `true`, any case).
pub const PREFERRED_WRITER_TAG: &str = "failover-reactor:preferred-writer";

/// The tag on a Multi-AZ instance that names the preferred Availability Zone of its primary.
pub const PREFERRED_ZONE_TAG: &str = "failover-reactor:preferred-az";

/// The source of a preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `PREFERRED_WRITERS` or `PREFERRED_AZS`.
    Config(&'static str),
    /// A tag on the DB instance.
    Tag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Config(variable) => write!(f, "from {variable}"),
            Origin::Tag(key) => write!(f, "from tag {key}"),
        }
    }
}

/// The preferred writer of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriterPreference {
    /// Neither the configuration nor a tag names one.
    None,
    /// A member of the cluster.
    Member {
        /// Its DB instance identifier.
        identifier: String,
        /// The source of the preference.
        origin: Origin,
    },
    /// A configuration problem, such as two tagged members; no member is preferred.
    Invalid {
        /// The problem, for the alert.
        problem: String,
    },
    /// The tags could not be read.
    Unknown {
        /// Why, for the alert.
        reason: String,
    },
}

impl WriterPreference {
    /// Returns the line an alert shows.
    pub fn line(&self) -> String {
        match self {
            WriterPreference::None => "Preferred writer: none configured or tagged".to_owned(),
            WriterPreference::Member { identifier, origin } => {
                format!("Preferred writer: {identifier} ({origin})")
            }
            WriterPreference::Invalid { problem } => {
                format!("Preferred writer: configuration problem: {problem}")
            }
            WriterPreference::Unknown { reason } => {
                format!("Preferred writer: unknown ({reason})")
            }
        }
    }
}

/// The preferred Availability Zone of a Multi-AZ instance's primary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZonePreference {
    /// Neither the configuration nor a tag names one.
    None,
    /// An Availability Zone.
    Zone {
        /// Its name.
        zone: String,
        /// The source of the preference.
        origin: Origin,
    },
    /// The tags could not be read.
    Unknown {
        /// Why, for the alert.
        reason: String,
    },
}

impl ZonePreference {
    /// Returns the line an alert shows.
    pub fn line(&self) -> String {
        match self {
            ZonePreference::None => {
                "Preferred Availability Zone: none configured or tagged".to_owned()
            }
            ZonePreference::Zone { zone, origin } => {
                format!("Preferred Availability Zone: {zone} ({origin})")
            }
            ZonePreference::Unknown { reason } => {
                format!("Preferred Availability Zone: unknown ({reason})")
            }
        }
    }
}

/// Finds the preferred writer of a cluster: `PREFERRED_WRITERS` when it names the cluster,
/// else the member tagged `failover-reactor:preferred-writer=true` (one ListTagsForResource
/// call per member).
pub async fn preferred_writer(
    rds: &Client,
    config: &FailbackConfig,
    cluster: &ClusterState,
) -> WriterPreference {
    if let Some(identifier) = config.preferred_writers.get(&cluster.identifier) {
        if cluster.member(identifier).is_none() {
            return WriterPreference::Invalid {
                problem: format!(
                    "PREFERRED_WRITERS names {identifier}, which is not a member of DB cluster {}",
                    cluster.identifier
                ),
            };
        }
        return WriterPreference::Member {
            identifier: identifier.clone(),
            origin: Origin::Config("PREFERRED_WRITERS"),
        };
    }

    let mut tagged = Vec::new();
    for member in &cluster.members {
        let Some(arn) = &member.arn else {
            return WriterPreference::Unknown {
                reason: format!("no ARN reported for DB instance {}", member.identifier),
            };
        };
        match tag_value(rds, arn, PREFERRED_WRITER_TAG).await {
            Ok(Some(value)) if value.eq_ignore_ascii_case("true") => {
                tagged.push(member.identifier.clone());
            }
            Ok(_) => {}
            Err(reason) => return WriterPreference::Unknown { reason },
        }
    }
    tagged.sort();
    match tagged.as_slice() {
        [] => WriterPreference::None,
        [identifier] => WriterPreference::Member {
            identifier: identifier.clone(),
            origin: Origin::Tag(PREFERRED_WRITER_TAG),
        },
        several => WriterPreference::Invalid {
            problem: format!(
                "{} members are tagged {PREFERRED_WRITER_TAG}=true ({}); tag one, or name one in PREFERRED_WRITERS",
                several.len(),
                several.join(", ")
            ),
        },
    }
}

/// Finds the preferred Availability Zone of an instance's primary: `PREFERRED_AZS` when it
/// names the instance, else its `failover-reactor:preferred-az` tag.
pub async fn preferred_zone(
    rds: &Client,
    config: &FailbackConfig,
    instance: &InstanceState,
) -> ZonePreference {
    if let Some(zone) = config.preferred_zones.get(&instance.identifier) {
        return ZonePreference::Zone {
            zone: zone.clone(),
            origin: Origin::Config("PREFERRED_AZS"),
        };
    }
    let Some(arn) = &instance.arn else {
        return ZonePreference::Unknown {
            reason: format!("no ARN reported for DB instance {}", instance.identifier),
        };
    };
    match tag_value(rds, arn, PREFERRED_ZONE_TAG).await {
        Ok(Some(zone)) if !zone.trim().is_empty() => ZonePreference::Zone {
            zone: zone.trim().to_owned(),
            origin: Origin::Tag(PREFERRED_ZONE_TAG),
        },
        Ok(_) => ZonePreference::None,
        Err(reason) => ZonePreference::Unknown { reason },
    }
}

/// Returns the value of one tag of a resource, or a description of the failed call.
async fn tag_value(rds: &Client, arn: &str, key: &str) -> Result<Option<String>, String> {
    let output = rds
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .map_err(|err| {
            let err = aws_sdk_rds::Error::from(err);
            format!(
                "ListTagsForResource failed for {arn}: {}",
                rds_functions::records::error_chain(&err)
            )
        })?;
    Ok(output
        .tag_list()
        .iter()
        .find(|tag| tag.key() == Some(key))
        .and_then(|tag| tag.value())
        .map(str::to_owned))
}
