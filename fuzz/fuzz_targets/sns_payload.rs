//! A Lambda payload, as bytes: whatever parses as JSON goes through `parse_payload`, which
//! must return a result per record, never panic, and name the ID and field of each error.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rds_event_lambdas_fuzz::{check_error, check_event};
use rds_events::{Notification, parse_payload};

fuzz_target!(|bytes: &[u8]| {
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    let records = match parse_payload(&payload) {
        Ok(records) => records,
        Err(error) => {
            check_error(&error);
            return;
        }
    };
    for record in &records {
        match record {
            Ok(Notification::Event(event)) => check_event(event),
            Ok(Notification::SubscriptionNotice { .. }) => {}
            Err(error) => check_error(error),
        }
    }
});
