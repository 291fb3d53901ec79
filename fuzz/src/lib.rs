//! Checks the fuzz targets share: what must hold for every event, error and notification,
//! whatever the input. Each check panics, which libFuzzer reports as a crash, when it fails.

use rds_events::route::ROUTES;
use rds_events::{EventId, ParseError, RdsEvent};
use rds_functions::notify::{
    Format, MAX_BODY_BYTES, MAX_SUBJECT_CHARS, NotificationMessage, Severity,
};

/// Checks a parsed event: its ID round-trips through text, and everything derived from it,
/// down to the notification a function would send, can be computed.
pub fn check_event(event: &RdsEvent) {
    let text = event.event_id.to_string();
    assert_eq!(EventId::parse(&text), Ok(event.event_id), "{text}");
    let _ = event.region();
    let _ = event.console_link();
    for route in ROUTES {
        let _ = route.matches_event(event);
    }
    serde_json::to_string(event).expect("an event serializes to JSON");

    let title = format!("RDS {}: {}", event.source_id, event.message);
    check_notification(&NotificationMessage::for_event(
        event,
        title,
        Severity::Info,
    ));
}

/// Checks that a parse error's text names the record's ID and the field, where it has them
/// (a payload-level error has the ID `-`, and an envelope error may have no field).
pub fn check_error(error: &ParseError) {
    let text = error.to_string();
    if !matches!(error.id.as_str(), "-" | "") {
        assert!(text.contains(&error.id), "{text:?} lacks the ID");
    }
    if !error.field.is_empty() {
        assert!(
            text.contains(&format!("field {:?}", error.field)),
            "{text:?} lacks the field"
        );
    }
}

/// Checks that a notification fits SNS: a subject of printable ASCII within the limit, and
/// bodies within [`MAX_BODY_BYTES`], the chat one valid JSON.
pub fn check_notification(message: &NotificationMessage) {
    let subject = message.subject();
    check_subject(&subject);

    let text = message.body(Format::Text);
    assert!(
        text.len() <= MAX_BODY_BYTES,
        "text body of {} bytes",
        text.len()
    );

    let chat = message.body(Format::Chat);
    assert!(
        chat.len() <= MAX_BODY_BYTES,
        "chat body of {} bytes",
        chat.len()
    );
    let json: serde_json::Value = serde_json::from_str(&chat).expect("the chat body is JSON");
    assert_eq!(json["content"]["title"], subject.as_str());
}

/// Checks an SNS subject: not empty, at most [`MAX_SUBJECT_CHARS`] printable ASCII
/// characters, and no space at either end.
pub fn check_subject(subject: &str) {
    assert!(!subject.is_empty());
    assert!(subject.len() <= MAX_SUBJECT_CHARS, "{subject:?}");
    assert!(
        subject.bytes().all(|byte| (b' '..=b'~').contains(&byte)),
        "{subject:?}"
    );
    assert!(!subject.starts_with(' '), "{subject:?}");
    assert!(!subject.ends_with(' '), "{subject:?}");
}
