//! Notifications to people: their content, format, and delivery through SNS.
//!
//! The content and format need no AWS SDK. `Notifier`, which publishes, comes with the
//! `aws` feature.

use rds_events::RdsEvent;
use serde::Serialize;
use serde_json::json;

use crate::config::{self, ConfigError};

#[cfg(feature = "aws")]
mod publish;
#[cfg(feature = "aws")]
pub use publish::{Notifier, PublishError};

/// The maximum subject length sent, in characters (printable ASCII only). The SNS API reference
/// says subjects "must be less than 100 characters", so 99 meets that and the common reading
/// of the limit as at most 100.
pub const MAX_SUBJECT_CHARS: usize = 99;

/// The largest body sent, in bytes. SNS accepts 262,144 bytes for the body and attributes
/// together; the rest is left for the attributes.
pub const MAX_BODY_BYTES: usize = 250 * 1024;

/// The maximum bytes of each identifier in a chat body's metadata. RDS identifiers are far
/// shorter, so this cuts only malformed events.
const MAX_METADATA_BYTES: usize = 1024;

/// The maximum related resources listed in a chat body's metadata.
const MAX_RELATED_RESOURCES: usize = 10;

/// The urgency of a notification, also sent as the `Severity` message attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Work finished as expected.
    Info,
    /// Something worth a look: a failover, a cancelled copy, a deletion.
    Warning,
    /// Something failed and needs a person.
    Critical,
}

impl Severity {
    /// Returns the lower-case name (`info`, `warning`, `critical`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// The body format, chosen with `NOTIFICATION_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Plain text, for email and SMS subscribers (`text`, the default).
    #[default]
    Text,
    /// The custom notification JSON of Amazon Q Developer in chat applications (`chat`).
    Chat,
}

impl Format {
    /// Reads `NOTIFICATION_FORMAT`: `text` (default) or `chat`.
    ///
    /// # Errors
    /// Returns an error naming the variable for any other value.
    pub fn from_config(source: &impl config::Source) -> Result<Format, ConfigError> {
        match config::optional(source, "NOTIFICATION_FORMAT").as_deref() {
            None | Some("text") => Ok(Format::Text),
            Some("chat") => Ok(Format::Chat),
            Some(other) => Err(ConfigError::new(
                "NOTIFICATION_FORMAT",
                format!("invalid format {other:?}; expected text or chat"),
            )),
        }
    }
}

/// A notification about one RDS event, before it is formatted.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationMessage {
    /// A short title; it becomes the SNS subject after [`subject_line`].
    pub title: String,
    /// Lines of the body: what happened, to which resource, when, the console link and what
    /// the function did.
    pub lines: Vec<String>,
    /// The urgency.
    pub severity: Severity,
    /// The event ID (`RDS-EVENT-0049`).
    pub event_id: String,
    /// The resource identifier.
    pub source_id: String,
    /// The source type as RDS spells it.
    pub source_type: String,
    /// The event's categories; `unknown` when the catalogue lacks the event.
    pub categories: Vec<String>,
    /// ARNs of the resources involved, for chat metadata.
    pub related_arns: Vec<String>,
}

impl NotificationMessage {
    /// Starts a notification about an event, with its identifiers filled in and the lines that
    /// every notification has: what happened, the resource, the time and the console link.
    pub fn for_event(
        event: &RdsEvent,
        title: impl Into<String>,
        severity: Severity,
    ) -> NotificationMessage {
        let categories: Vec<String> = event
            .categories()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        let mut lines = vec![
            format!("What happened: {} ({})", event.message, event.event_id),
            format!("Resource: {} {}", event.source_type, event.source_id),
        ];
        if let Some(arn) = &event.source_arn {
            lines.push(format!("ARN: {arn}"));
        }
        lines.push(format!(
            "When: {} UTC",
            event.time.format("%Y-%m-%d %H:%M:%S")
        ));
        if let Some(link) = event.console_link() {
            lines.push(format!("Console: {link}"));
        }
        NotificationMessage {
            title: title.into(),
            lines,
            severity,
            event_id: event.event_id.to_string(),
            source_id: event.source_id.clone(),
            source_type: event.source_type.as_str().to_owned(),
            categories: if categories.is_empty() {
                vec!["unknown".to_owned()]
            } else {
                categories
            },
            related_arns: event.source_arn.iter().cloned().collect(),
        }
    }

    /// Returns the SNS subject: the severity and title as printable ASCII within SNS's limit.
    pub fn subject(&self) -> String {
        subject_line(&format!(
            "[{}] {}",
            self.severity.as_str().to_ascii_uppercase(),
            self.title
        ))
    }

    /// Returns the body in the chosen format, within [`MAX_BODY_BYTES`].
    pub fn body(&self, format: Format) -> String {
        match format {
            Format::Text => {
                let mut text = String::new();
                for line in &self.lines {
                    text.push_str(line);
                    text.push('\n');
                }
                truncate_bytes(&text, MAX_BODY_BYTES)
            }
            Format::Chat => {
                // JSON escaping can make the description up to six times longer (`\u0000`),
                // so a body over the limit is built again with the description cut in
                // proportion to what its JSON may take. The budget shrinks on every pass, so
                // the loop ends.
                let lines = self.lines.join("\n");
                let mut budget = MAX_BODY_BYTES - 4096;
                loop {
                    let description = truncate_bytes(&lines, budget);
                    let body = self.chat_body(&description);
                    if body.len() <= MAX_BODY_BYTES || budget == 0 {
                        return body;
                    }
                    let escaped = json!(description).to_string().len();
                    let room = escaped.saturating_sub(body.len() - MAX_BODY_BYTES);
                    budget = (description.len() * room / escaped).min(budget - 1);
                }
            }
        }
    }

    /// Returns the custom notification JSON of Amazon Q Developer in chat applications, with
    /// each identifier cut to [`MAX_METADATA_BYTES`], so that the description always fits.
    fn chat_body(&self, description: &str) -> String {
        let cut = |text: &str| truncate_bytes(text, MAX_METADATA_BYTES);
        let related: Vec<String> = self
            .related_arns
            .iter()
            .take(MAX_RELATED_RESOURCES)
            .map(|arn| cut(arn))
            .collect();
        json!({
            "version": "1.0",
            "source": "custom",
            "content": {
                "textType": "client-markdown",
                "title": self.subject(),
                "description": description,
            },
            "metadata": {
                "summary": self.subject(),
                "eventType": cut(&self.event_id),
                "relatedResources": related,
                "additionalContext": {
                    "sourceId": cut(&self.source_id),
                    "sourceType": cut(&self.source_type),
                    "severity": self.severity.as_str(),
                },
            },
        })
        .to_string()
    }
}

/// Makes an SNS subject: printable ASCII (other characters become `?`, runs of white space
/// one space), at most [`MAX_SUBJECT_CHARS`] characters, cut with `...` when longer.
pub fn subject_line(text: &str) -> String {
    let mut ascii = String::with_capacity(text.len().min(MAX_SUBJECT_CHARS * 2));
    for character in text.chars() {
        let mapped = match character {
            ' '..='~' => character,
            c if c.is_whitespace() || c.is_control() => ' ',
            _ => '?',
        };
        if mapped == ' ' && (ascii.is_empty() || ascii.ends_with(' ')) {
            continue;
        }
        ascii.push(mapped);
    }
    let ascii = ascii.trim_end();
    if ascii.is_empty() {
        return "RDS event".to_owned();
    }
    if ascii.len() <= MAX_SUBJECT_CHARS {
        return ascii.to_owned();
    }
    // Every character is one ASCII byte here, so byte indexes are character boundaries.
    format!("{}...", ascii[..MAX_SUBJECT_CHARS - 3].trim_end())
}

/// Cuts a text to at most `max` bytes on a character boundary, marking the cut. A `max`
/// too small for the mark gives an empty text.
fn truncate_bytes(text: &str, max: usize) -> String {
    const MARK: &str = "\n[truncated]";
    if text.len() <= max {
        return text.to_owned();
    }
    let Some(mut end) = max.checked_sub(MARK.len()) else {
        return String::new();
    };
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{MARK}", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_keeps_short_ascii() {
        assert_eq!(
            subject_line("[INFO] Backup finished: orders-db"),
            "[INFO] Backup finished: orders-db"
        );
    }

    #[test]
    fn subject_replaces_non_ascii_and_controls() {
        assert_eq!(subject_line("données\n\tprod\u{7}db"), "donn?es prod db");
    }

    #[test]
    fn subject_cuts_long_text() {
        let subject = subject_line(&"é".repeat(300));
        assert_eq!(subject.chars().count(), MAX_SUBJECT_CHARS);
        assert!(subject.ends_with("..."));
    }

    #[test]
    fn subject_of_blank_text_is_not_empty() {
        assert_eq!(subject_line(" \u{0}\n "), "RDS event");
    }

    #[test]
    fn body_is_cut_on_char_boundary() {
        let text = "é".repeat(MAX_BODY_BYTES);
        let cut = truncate_bytes(&text, MAX_BODY_BYTES);
        assert!(cut.len() <= MAX_BODY_BYTES);
        assert!(cut.ends_with("[truncated]"));
    }

    #[test]
    fn chat_body_of_control_characters_fits() {
        let message = NotificationMessage {
            title: "t".into(),
            lines: vec!["\u{1}".repeat(MAX_BODY_BYTES)],
            severity: Severity::Info,
            event_id: "e".repeat(5000),
            source_id: "\u{0}".repeat(5000),
            source_type: "db-instance".into(),
            categories: vec!["backup".into()],
            related_arns: vec!["\"".repeat(5000); 50],
        };

        let body = message.body(Format::Chat);

        assert!(body.len() <= MAX_BODY_BYTES, "{} bytes", body.len());
        assert!(body.len() > MAX_BODY_BYTES / 2, "{} bytes", body.len());
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(
            json["metadata"]["relatedResources"]
                .as_array()
                .map(Vec::len),
            Some(10)
        );
    }

    #[test]
    fn truncate_below_mark_is_empty() {
        assert_eq!(truncate_bytes("a long enough text", 3), "");
    }

    #[test]
    fn chat_body_has_custom_notification_fields() {
        let message = NotificationMessage {
            title: "Failover completed: billing-aurora".into(),
            lines: vec!["What happened: failover".into()],
            severity: Severity::Warning,
            event_id: "RDS-EVENT-0071".into(),
            source_id: "billing-aurora".into(),
            source_type: "db-cluster".into(),
            categories: vec!["failover".into()],
            related_arns: vec!["arn:aws:rds:us-east-1:123456789012:cluster:billing-aurora".into()],
        };
        let body: serde_json::Value =
            serde_json::from_str(&message.body(Format::Chat)).expect("JSON");
        assert_eq!(body["version"], "1.0");
        assert_eq!(body["source"], "custom");
        assert_eq!(
            body["content"]["title"],
            "[WARNING] Failover completed: billing-aurora"
        );
        assert_eq!(body["content"]["description"], "What happened: failover");
        assert_eq!(body["metadata"]["eventType"], "RDS-EVENT-0071");
        assert_eq!(
            body["metadata"]["relatedResources"][0],
            message.related_arns[0]
        );
    }
}
