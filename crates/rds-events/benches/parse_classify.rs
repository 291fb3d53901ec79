//! Parse and classify throughput: one Lambda payload from its JSON text to the routes that take
//! its events.
//!
//! Each iteration does what a function does with a payload before any SDK call: parses the
//! JSON text, parses the envelope and the RDS message with `parse_payload`, looks the event up
//! in the catalogue and matches it against every route. The payloads are the AWS documentation
//! samples: the SNS event of the Lambda developer guide (events/sns-docs-example.json) and the
//! EventBridge event of the RDS user guide (benches/eventbridge-docs-example.json).
//! bench/python/parse_classify.py does the same work in Python, and `make bench` reports the
//! ratio.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rds_events::{Notification, RdsEvent, parse_payload, route::ROUTES};
use serde_json::Value;

const SNS_PAYLOAD: &str = include_str!("../../../events/sns-docs-example.json");
const EVENTBRIDGE_PAYLOAD: &str = include_str!("eventbridge-docs-example.json");

/// The classification of one event: whether the catalogue documents it, and how many routes
/// take it.
#[derive(Debug, PartialEq)]
struct Classified {
    documented: bool,
    routes: usize,
}

fn classify(payload: &str) -> Vec<Classified> {
    let value: Value = serde_json::from_str(payload).expect("sample is JSON");
    let records = parse_payload(&value).expect("sample is an SNS or EventBridge event");
    records
        .into_iter()
        .map(|record| {
            let Ok(Notification::Event(event)) = record else {
                panic!("expected one RDS event per record in the sample");
            };
            classify_event(&event)
        })
        .collect()
}

fn classify_event(event: &RdsEvent) -> Classified {
    Classified {
        documented: event.catalogue_entry().is_some(),
        routes: ROUTES
            .iter()
            .filter(|route| route.matches_event(event))
            .count(),
    }
}

fn parse_classify(c: &mut Criterion) {
    // Both samples are documented events that exactly one route takes; check it once so the
    // benchmark cannot measure an early error path.
    for payload in [SNS_PAYLOAD, EVENTBRIDGE_PAYLOAD] {
        assert_eq!(
            classify(payload),
            vec![Classified {
                documented: true,
                routes: 1
            }]
        );
    }

    let mut group = c.benchmark_group("parse_classify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sns", |b| b.iter(|| classify(black_box(SNS_PAYLOAD))));
    group.bench_function("eventbridge", |b| {
        b.iter(|| classify(black_box(EVENTBRIDGE_PAYLOAD)))
    });
    group.finish();
}

/// The steps of the SNS iteration one by one, to show where its time goes.
fn sns_steps(c: &mut Criterion) {
    let value: Value = serde_json::from_str(SNS_PAYLOAD).expect("sample is JSON");
    let records = parse_payload(&value).expect("sample is an SNS event");
    let Some(Ok(Notification::Event(event))) = records.first() else {
        panic!("expected an RDS event in the sample");
    };

    let mut group = c.benchmark_group("sns_steps");
    group.bench_function("json_text_to_value", |b| {
        b.iter(|| serde_json::from_str::<Value>(black_box(SNS_PAYLOAD)))
    });
    group.bench_function("parse_payload", |b| {
        b.iter(|| parse_payload(black_box(&value)))
    });
    group.bench_function("catalogue_and_routes", |b| {
        b.iter(|| classify_event(black_box(event)))
    });
    group.finish();
}

criterion_group!(benches, parse_classify, sns_steps);
criterion_main!(benches);
