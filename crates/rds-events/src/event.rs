//! The typed RDS event and its parts: source type, event ID and category.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::catalogue::{self, CatalogueEntry};

/// The kind of RDS resource an event is about, as RDS names it in `Event Source`.
///
/// EventBridge spells the same types differently (`DB_INSTANCE`, `CLUSTER_SNAPSHOT`);
/// [`SourceType::from_eventbridge`] maps those names. A type this crate does not know is kept
/// as [`SourceType::Other`] with its text, so new RDS source types still parse.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceType {
    /// `db-instance`
    DbInstance,
    /// `db-cluster`
    DbCluster,
    /// `db-parameter-group`
    DbParameterGroup,
    /// `db-security-group`
    DbSecurityGroup,
    /// `db-snapshot`
    DbSnapshot,
    /// `db-cluster-snapshot`
    DbClusterSnapshot,
    /// `db-proxy`
    DbProxy,
    /// `custom-engine-version`
    CustomEngineVersion,
    /// `blue-green-deployment`
    BlueGreenDeployment,
    /// `db-shard-group`
    DbShardGroup,
    /// A source type this crate does not know, as the message spelled it.
    Other(String),
}

/// The known source types with their RDS and EventBridge names.
///
/// EventBridge documents only the first seven; for the others the EventBridge name is the RDS
/// name in upper snake case, which is a guess.
const SOURCE_TYPE_NAMES: &[(SourceType, &str, &str)] = &[
    (SourceType::DbInstance, "db-instance", "DB_INSTANCE"),
    (SourceType::DbCluster, "db-cluster", "CLUSTER"),
    (
        SourceType::DbParameterGroup,
        "db-parameter-group",
        "DB_PARAM",
    ),
    (
        SourceType::DbSecurityGroup,
        "db-security-group",
        "SECURITY_GROUP",
    ),
    (SourceType::DbSnapshot, "db-snapshot", "SNAPSHOT"),
    (
        SourceType::DbClusterSnapshot,
        "db-cluster-snapshot",
        "CLUSTER_SNAPSHOT",
    ),
    (SourceType::DbProxy, "db-proxy", "DB_PROXY"),
    (
        SourceType::CustomEngineVersion,
        "custom-engine-version",
        "CUSTOM_ENGINE_VERSION",
    ),
    (
        SourceType::BlueGreenDeployment,
        "blue-green-deployment",
        "BLUE_GREEN_DEPLOYMENT",
    ),
    (SourceType::DbShardGroup, "db-shard-group", "DB_SHARD_GROUP"),
];

impl SourceType {
    /// Every source type in the catalogue, in a stable order.
    pub const KNOWN: [SourceType; 10] = [
        SourceType::DbInstance,
        SourceType::DbCluster,
        SourceType::DbParameterGroup,
        SourceType::DbSecurityGroup,
        SourceType::DbSnapshot,
        SourceType::DbClusterSnapshot,
        SourceType::DbProxy,
        SourceType::CustomEngineVersion,
        SourceType::BlueGreenDeployment,
        SourceType::DbShardGroup,
    ];

    /// Parses the RDS spelling (`db-instance`); an unknown name becomes [`SourceType::Other`].
    pub fn from_rds(name: &str) -> SourceType {
        SOURCE_TYPE_NAMES
            .iter()
            .find(|(_, rds, _)| *rds == name)
            .map(|(source_type, _, _)| source_type.clone())
            .unwrap_or_else(|| SourceType::Other(name.to_owned()))
    }

    /// Parses the EventBridge spelling (`DB_INSTANCE`, `CLUSTER`); the RDS spelling is accepted
    /// too, and an unknown name becomes [`SourceType::Other`].
    pub fn from_eventbridge(name: &str) -> SourceType {
        SOURCE_TYPE_NAMES
            .iter()
            .find(|(_, rds, eventbridge)| *eventbridge == name || *rds == name)
            .map(|(source_type, _, _)| source_type.clone())
            .unwrap_or_else(|| SourceType::Other(name.to_owned()))
    }

    /// Returns the name as RDS spells it in SNS messages and event subscriptions.
    pub fn as_str(&self) -> &str {
        match self {
            SourceType::Other(name) => name,
            known => SOURCE_TYPE_NAMES
                .iter()
                .find(|(source_type, _, _)| source_type == known)
                .map_or("", |(_, rds, _)| rds),
        }
    }

    /// Returns the `detail.SourceType` value of EventBridge events, or `None` for a type
    /// this crate does not know.
    pub fn eventbridge_name(&self) -> Option<&'static str> {
        SOURCE_TYPE_NAMES
            .iter()
            .find(|(source_type, _, _)| source_type == self)
            .map(|(_, _, eventbridge)| *eventbridge)
    }

    /// Returns the EventBridge `detail-type` of this source type's events, where AWS documents
    /// one.
    pub fn eventbridge_detail_type(&self) -> Option<&'static str> {
        match self {
            SourceType::DbInstance => Some("RDS DB Instance Event"),
            SourceType::DbCluster => Some("RDS DB Cluster Event"),
            SourceType::DbParameterGroup => Some("RDS DB Parameter Group Event"),
            SourceType::DbSecurityGroup => Some("RDS DB Security Group Event"),
            SourceType::DbSnapshot => Some("RDS DB Snapshot Event"),
            SourceType::DbClusterSnapshot => Some("RDS DB Cluster Snapshot Event"),
            SourceType::DbProxy => Some("RDS DB Proxy Event"),
            _ => None,
        }
    }
}

impl fmt::Display for SourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SourceType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// An RDS event category, as RDS spells it in event subscriptions and EventBridge events.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// `availability`
    Availability,
    /// `backtrack`
    Backtrack,
    /// `backup`
    Backup,
    /// `configuration change`
    ConfigurationChange,
    /// `creation`
    Creation,
    /// `deletion`
    Deletion,
    /// `failover`
    Failover,
    /// `failure`
    Failure,
    /// `global database`
    GlobalDatabase,
    /// `global-failover`; the user guides' tables write `global failover`, but the RDS API and
    /// EventBridge spell it with a hyphen.
    GlobalFailover,
    /// `low storage`
    LowStorage,
    /// `maintenance`
    Maintenance,
    /// `notification`
    Notification,
    /// `read replica`
    ReadReplica,
    /// `recovery`
    Recovery,
    /// `restoration`
    Restoration,
    /// `restoring`
    Restoring,
    /// `security`
    Security,
    /// `security patching`
    SecurityPatching,
    /// `serverless`
    Serverless,
    /// A category this crate does not know, as the event spelled it.
    Other(String),
}

const CATEGORY_NAMES: &[(Category, &str)] = &[
    (Category::Availability, "availability"),
    (Category::Backtrack, "backtrack"),
    (Category::Backup, "backup"),
    (Category::ConfigurationChange, "configuration change"),
    (Category::Creation, "creation"),
    (Category::Deletion, "deletion"),
    (Category::Failover, "failover"),
    (Category::Failure, "failure"),
    (Category::GlobalDatabase, "global database"),
    (Category::GlobalFailover, "global-failover"),
    (Category::LowStorage, "low storage"),
    (Category::Maintenance, "maintenance"),
    (Category::Notification, "notification"),
    (Category::ReadReplica, "read replica"),
    (Category::Recovery, "recovery"),
    (Category::Restoration, "restoration"),
    (Category::Restoring, "restoring"),
    (Category::Security, "security"),
    (Category::SecurityPatching, "security patching"),
    (Category::Serverless, "serverless"),
];

impl Category {
    /// Parses a category name, in any case and with a space or a hyphen between words; an
    /// unknown name becomes [`Category::Other`].
    pub fn from_name(name: &str) -> Category {
        let same = |known: &str| {
            known.len() == name.len()
                && known.bytes().zip(name.bytes()).all(|(a, b)| {
                    a.eq_ignore_ascii_case(&b)
                        || (matches!(a, b' ' | b'-') && matches!(b, b' ' | b'-'))
                })
        };
        CATEGORY_NAMES
            .iter()
            .find(|(_, known)| same(known))
            .map(|(category, _)| category.clone())
            .unwrap_or_else(|| Category::Other(name.to_owned()))
    }

    /// Returns the name as the RDS API spells it in event subscriptions.
    pub fn as_str(&self) -> &str {
        match self {
            Category::Other(name) => name,
            known => CATEGORY_NAMES
                .iter()
                .find(|(category, _)| category == known)
                .map_or("", |(_, name)| name),
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// An RDS event ID such as `RDS-EVENT-0002`, stored as its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u32);

impl EventId {
    /// Creates an event ID from its number (`2` for `RDS-EVENT-0002`).
    ///
    /// N.B. A number above 999,999 displays with seven or more digits, which
    /// [`EventId::parse`] rejects, so only numbers up to 999,999 round-trip through text.
    pub const fn new(number: u32) -> EventId {
        EventId(number)
    }

    /// Returns the number of the ID.
    pub const fn number(self) -> u32 {
        self.0
    }

    /// Parses a bare ID (`RDS-EVENT-0002`) or a URL whose fragment is one
    /// (`https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.html#RDS-EVENT-0002`).
    ///
    /// # Errors
    /// Returns an [`EventIdError`] when the text, or the URL's fragment, is not
    /// `RDS-EVENT-` followed by one to six digits.
    pub fn parse(text: &str) -> Result<EventId, EventIdError> {
        let id = match text.rsplit_once('#') {
            Some((_, fragment)) => fragment,
            None => text,
        };
        // Documented IDs have four digits; up to six are accepted for IDs yet to come.
        let digits = id
            .trim()
            .strip_prefix("RDS-EVENT-")
            .filter(|digits| (1..=6).contains(&digits.len()))
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_digit()))
            .ok_or_else(|| EventIdError {
                text: text.to_owned(),
            })?;
        // Six digits at most, so the number always fits in a u32.
        let number = digits.parse().map_err(|_| EventIdError {
            text: text.to_owned(),
        })?;
        Ok(EventId(number))
    }
}

impl FromStr for EventId {
    type Err = EventIdError;

    fn from_str(text: &str) -> Result<EventId, EventIdError> {
        EventId::parse(text)
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RDS-EVENT-{:04}", self.0)
    }
}

impl Serialize for EventId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A text that is not an RDS event ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid event ID {text:?}: expected RDS-EVENT-NNNN or a URL ending in #RDS-EVENT-NNNN")]
pub struct EventIdError {
    /// The text that failed to parse.
    pub text: String,
}

/// The envelope that delivered the event, with its identifiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delivery {
    /// An SNS notification, from an RDS event subscription.
    Sns {
        /// The SNS message ID, which stays the same when SNS retries a delivery.
        message_id: String,
        /// The topic that delivered the message.
        topic_arn: String,
        /// When SNS published the message.
        timestamp: DateTime<Utc>,
    },
    /// An EventBridge event from the default event bus.
    EventBridge {
        /// The EventBridge event ID.
        id: String,
        /// The `detail-type`, such as `RDS DB Instance Event`.
        detail_type: String,
        /// The account of the resource, when present.
        account: Option<String>,
        /// The Region of the resource, when present.
        region: Option<String>,
    },
}

impl Delivery {
    /// Returns the SNS message ID or the EventBridge event ID.
    pub fn id(&self) -> &str {
        match self {
            Delivery::Sns { message_id, .. } => message_id,
            Delivery::EventBridge { id, .. } => id,
        }
    }
}

/// An RDS event notification, the same whichever envelope delivered it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RdsEvent {
    /// The kind of resource (`Event Source`, or `detail.SourceType`).
    pub source_type: SourceType,
    /// The event ID (from the `Event ID` URL's fragment, or `detail.EventID`).
    pub event_id: EventId,
    /// When the event happened, in UTC.
    pub time: DateTime<Utc>,
    /// The resource identifier (`Source ID`, or `detail.SourceIdentifier`). Automated
    /// snapshots carry an `rds:` prefix.
    pub source_id: String,
    /// The resource ARN, absent in older SNS messages.
    pub source_arn: Option<String>,
    /// The RDS console link of the resource (`Identifier Link`, SNS only).
    pub identifier_link: Option<String>,
    /// The event message text.
    pub message: String,
    /// The categories the envelope carried (EventBridge only; empty for SNS).
    pub delivered_categories: Vec<Category>,
    /// The resource's tags at send time, when the message carried them.
    pub tags: Map<String, Value>,
    /// Keys of the RDS message that this crate does not interpret, kept as they came.
    pub extra: Map<String, Value>,
    /// The envelope and its identifiers.
    pub delivery: Delivery,
}

impl RdsEvent {
    /// Returns the catalogue entry for this event's source type and ID, if RDS documents it.
    pub fn catalogue_entry(&self) -> Option<&'static CatalogueEntry> {
        catalogue::lookup(&self.source_type, self.event_id)
    }

    /// Returns the event's categories: those the envelope carried, else the catalogue's, else
    /// none (an event ID the catalogue lacks is a valid event of unknown category).
    pub fn categories(&self) -> Vec<Category> {
        if !self.delivered_categories.is_empty() {
            return self.delivered_categories.clone();
        }
        self.catalogue_entry()
            .map(|entry| entry.categories.to_vec())
            .unwrap_or_default()
    }

    /// Returns the Region, from the source ARN or else the EventBridge envelope.
    pub fn region(&self) -> Option<&str> {
        let from_arn = self
            .source_arn
            .as_deref()
            .and_then(|arn| arn.split(':').nth(3));
        match (from_arn, &self.delivery) {
            (Some(region), _) if !region.is_empty() => Some(region),
            (_, Delivery::EventBridge { region, .. }) => region.as_deref(),
            _ => None,
        }
    }

    /// Returns a console link: the message's own, else one built from the Region and source ID.
    pub fn console_link(&self) -> Option<String> {
        if let Some(link) = &self.identifier_link {
            return Some(link.clone());
        }
        let region = self.region()?;
        let fragment = match self.source_type {
            SourceType::DbCluster => format!("database:id={};is-cluster=true", self.source_id),
            SourceType::DbInstance => format!("database:id={};is-cluster=false", self.source_id),
            SourceType::DbSnapshot => format!("db-snapshot:id={}", self.source_id),
            SourceType::DbClusterSnapshot => format!("db-cluster-snapshot:id={}", self.source_id),
            _ => "events:".to_owned(),
        };
        Some(format!(
            "https://console.aws.amazon.com/rds/home?region={region}#{fragment}"
        ))
    }
}
