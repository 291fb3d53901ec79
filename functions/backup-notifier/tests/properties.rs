//! Properties of notification subjects: whatever the text or the source identifier, SNS
//! accepts the subject (printable ASCII, 1 to 99 characters).

use backup_notifier::severity_of;
use proptest::prelude::*;
use rds_events::Notification;
use rds_functions::notify::{MAX_SUBJECT_CHARS, NotificationMessage, subject_line};

mod common;

fn assert_valid_subject(subject: &str) -> Result<(), TestCaseError> {
    prop_assert!(!subject.is_empty());
    prop_assert!(
        subject.chars().count() <= MAX_SUBJECT_CHARS,
        "{} characters: {:?}",
        subject.chars().count(),
        subject
    );
    prop_assert!(
        subject.chars().all(|c| (' '..='~').contains(&c)),
        "not printable ASCII: {:?}",
        subject
    );
    Ok(())
}

proptest! {
    #[test]
    fn subject_line_of_any_text_is_valid(text in any::<String>()) {
        assert_valid_subject(&subject_line(&text))?;
    }

    #[test]
    fn subject_line_of_long_mixed_text_is_valid(
        text in "[a-zA-Z0-9 :\\t\\n\\r\u{0}-\u{1f}é漢🦀\u{202e}]{90,400}",
    ) {
        assert_valid_subject(&subject_line(&text))?;
    }

    #[test]
    fn subject_line_keeps_short_printable_text(text in "[!-~][ -~]{0,97}[!-~]") {
        prop_assume!(!text.contains("  "));
        prop_assert_eq!(subject_line(&text), text);
    }

    #[test]
    fn event_subject_is_valid_for_any_source_id(
        source_id in any::<String>().prop_filter("RDS sends a non-blank ID", |s| !s.trim().is_empty()),
        message in any::<String>(),
    ) {
        let payload = common::SnsEvent {
            message_id: "property",
            source_type: "db-snapshot",
            source_id: &source_id,
            event: 42,
            message: &message,
        }
        .payload();
        let mut records = rds_events::parse_payload(&payload).expect("payload parses");
        let Some(Ok(Notification::Event(event))) = records.pop() else {
            return Err(TestCaseError::fail("expected one event"));
        };
        let title = format!("RDS {}: {}", event.source_id, event.message);
        let subject = NotificationMessage::for_event(&event, title, severity_of(&event)).subject();
        assert_valid_subject(&subject)?;
        prop_assert!(subject.starts_with("[INFO] RDS "), "{:?}", subject);
    }
}
