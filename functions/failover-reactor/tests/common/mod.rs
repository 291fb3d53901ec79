//! Events for the integration tests, built as RDS delivers them through SNS.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// One RDS event, before it is wrapped in an SNS record.
#[derive(Debug, Clone)]
pub(crate) struct EventSpec {
    /// `db-cluster` or `db-instance`.
    pub(crate) source_type: &'static str,
    /// The cluster or instance identifier.
    pub(crate) source_id: String,
    /// The number of the event ID (71 for RDS-EVENT-0071).
    pub(crate) event_id: u32,
    /// The event message.
    pub(crate) message: String,
    /// When the event happened.
    pub(crate) time: DateTime<Utc>,
    /// The SNS message ID; a redelivery keeps the same one.
    pub(crate) message_id: String,
}

impl EventSpec {
    /// Creates an event of a cluster.
    pub(crate) fn cluster(
        cluster: &str,
        event_id: u32,
        message: &str,
        time: DateTime<Utc>,
    ) -> EventSpec {
        EventSpec {
            source_type: "db-cluster",
            source_id: cluster.to_owned(),
            event_id,
            message: message.to_owned(),
            time,
            message_id: format!("{cluster}-{event_id}-{}", time.timestamp_millis()),
        }
    }

    /// Creates an event of a DB instance.
    pub(crate) fn instance(
        instance: &str,
        event_id: u32,
        message: &str,
        time: DateTime<Utc>,
    ) -> EventSpec {
        EventSpec {
            source_type: "db-instance",
            ..EventSpec::cluster(instance, event_id, message, time)
        }
    }

    fn record(&self) -> Value {
        let (arn_kind, link_kind) = match self.source_type {
            "db-cluster" => ("cluster", "dbcluster"),
            _ => ("db", "dbinstance"),
        };
        let message = json!({
            "Event Source": self.source_type,
            "Event Time": self.time.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
            "Identifier Link": format!(
                "https://console.aws.amazon.com/rds/home?region=us-east-1#{link_kind}:id={}",
                self.source_id
            ),
            "Source ID": self.source_id,
            "Source ARN": format!("arn:aws:rds:us-east-1:123456789012:{arn_kind}:{}", self.source_id),
            "Event ID": format!(
                "http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#RDS-EVENT-{:04}",
                self.event_id
            ),
            "Event Message": self.message,
            "Tags": {},
        });
        json!({
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:rds-events:21be56ed",
            "Sns": {
                "Type": "Notification",
                "MessageId": self.message_id,
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:rds-events",
                "Subject": "RDS Notification Message",
                "Message": message.to_string(),
                "Timestamp": Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                "SignatureVersion": "1",
                "Signature": "EXAMPLE",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
                "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                "MessageAttributes": {}
            }
        })
    }
}

/// Wraps events in one SNS invocation payload, one record each.
pub(crate) fn sns_payload(events: &[EventSpec]) -> Value {
    json!({ "Records": events.iter().map(EventSpec::record).collect::<Vec<_>>() })
}
