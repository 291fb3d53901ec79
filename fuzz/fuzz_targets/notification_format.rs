//! Arbitrary text through the notification formatter: `subject_line`, and the subject and
//! bodies of a notification whose fields are cut from the text.
//!
//! The first byte sets a repeat count for the body lines, so that short inputs can reach
//! SNS's size limit (262,144 bytes) without libFuzzer having to grow inputs that large.
//! Bytes up to 239 give one copy and 240 to 255 give 2 to 65,536, so that most runs stay
//! small and fast.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rds_event_lambdas_fuzz::{check_notification, check_subject};
use rds_functions::notify::{NotificationMessage, Severity, subject_line};

/// The largest body the target builds, a little over the 262,144 bytes SNS accepts.
const MAX_BUILT_BYTES: usize = 300 * 1024;

fuzz_target!(|bytes: &[u8]| {
    let (repeat, text) = match bytes {
        [first, rest @ ..] => (1_usize << first.saturating_sub(239), rest),
        [] => (1, bytes),
    };
    let text = String::from_utf8_lossy(text);
    check_subject(&subject_line(&text));

    let mut parts = text.split('\n');
    let title = parts.next().unwrap_or_default().to_owned();
    let line_bytes: usize = parts.clone().map(|line| line.len() + 1).sum();
    let repeat = repeat.clamp(1, (MAX_BUILT_BYTES / line_bytes.max(1)).max(1));
    let lines: Vec<String> = parts.map(|line| line.repeat(repeat)).collect();
    let message = NotificationMessage {
        title: title.clone(),
        severity: Severity::Warning,
        event_id: title.clone(),
        source_id: title.clone(),
        source_type: title.clone(),
        categories: vec![title.clone()],
        related_arns: vec![title],
        lines,
    };
    check_notification(&message);
});
