//! An EventBridge event, as bytes, given straight to the EventBridge parser, so the fuzzer
//! need not find the `detail-type` key that routes a payload to it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rds_event_lambdas_fuzz::{check_error, check_event};
use rds_events::envelope::parse_eventbridge_value;

fuzz_target!(|bytes: &[u8]| {
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    match parse_eventbridge_value(&payload) {
        Ok(event) => check_event(&event),
        Err(error) => check_error(&error),
    }
});
