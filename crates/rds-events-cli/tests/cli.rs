//! Runs the `rds-events` binary on the samples in `events/` and checks output and exit status.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rds_events::catalogue;
use rds_events::policy::{event_subscriptions, eventbridge_pattern, sns_filter_policy};
use rds_events::route::ROUTES;
use rds_events::{Category, SourceType};
use serde_json::{Value, json};

fn workspace_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample(name: &str) -> String {
    workspace_dir()
        .join("events")
        .join(name)
        .display()
        .to_string()
}

fn batch_fixture() -> String {
    workspace_dir()
        .join("crates/rds-events/tests/fixtures/sns-batch-one-bad.json")
        .display()
        .to_string()
}

/// Runs the binary with the arguments and, when given, the text on standard input.
fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rds-events"));
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("rds-events starts");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    child.wait_with_output().expect("rds-events ends")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
        })
        .collect()
}

/// Builds a one-record SNS event whose RDS message has this source type and event ID.
fn sns_payload(source_type: &str, event_id: &str) -> String {
    let message = json!({
        "Event Source": source_type,
        "Event Time": "2026-12-04 03:14:52.117",
        "Identifier Link": "https://console.aws.amazon.com/rds/home?region=us-east-1#dbcluster:id=billing-aurora",
        "Source ID": "billing-aurora",
        "Event ID": format!("http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#{event_id}"),
        "Event Message": "Something happened",
    });
    json!({ "Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:rds-events:1",
        "Sns": {
            "Type": "Notification",
            "MessageId": "0f0e0d0c-0001-5000-8000-000000000001",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:rds-events",
            "Subject": "RDS Notification Message",
            "Message": message.to_string(),
            "Timestamp": "2026-12-04T03:14:53.020Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
            "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
            "MessageAttributes": {},
        }
    }]})
    .to_string()
}

/// What `explain` must print for one sample.
struct Expected {
    file: &'static str,
    status: i32,
    /// Lines, trimmed, that stdout must contain.
    stdout_lines: &'static [&'static str],
    /// Text that stderr must contain; empty means stderr must be empty.
    stderr: &'static [&'static str],
}

const SAMPLES: &[Expected] = &[
    Expected {
        file: "sns-docs-example.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0002",
            "source type         db-instance",
            "source ID           dbinstanceid",
            "source ARN          none",
            "time                2019-01-02T12:45:06Z",
            "categories          backup (from the catalogue)",
            "documented message  Finished DB instance backup.",
            "routes              backup-notifier",
        ],
        stderr: &[],
    },
    Expected {
        file: "sns-backup-finished.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0002",
            "source ID           orders-db",
            "time                2026-12-04T03:14:52.117Z",
            "message             Finished DB Instance backup",
            "tags                {\"team\":\"orders\"}",
            "delivery            SNS topic arn:aws:sns:us-east-1:123456789012:rds-events, published 2026-12-04T03:14:53.020Z",
            "routes              backup-notifier",
        ],
        stderr: &[],
    },
    Expected {
        file: "sns-snapshot-created.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0042",
            "source type         db-snapshot",
            "categories          creation (from the catalogue)",
            "routes              backup-notifier",
        ],
        stderr: &[],
    },
    Expected {
        file: "sns-cluster-snapshot-created.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0075",
            "source type         db-cluster-snapshot",
            "documented message  Manual cluster snapshot created.",
            "routes              backup-notifier",
        ],
        stderr: &[],
    },
    Expected {
        file: "sns-instance-failover.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0049",
            "categories          failover (from the catalogue)",
            "routes              failover-reactor",
        ],
        stderr: &[],
    },
    Expected {
        file: "sns-cluster-failover.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0071",
            "source type         db-cluster",
            "documented message  Completed failover to DB instance: {{name}}.",
            "routes              failover-reactor",
        ],
        stderr: &[],
    },
    Expected {
        file: "sns-outside-routes.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0087",
            "categories          notification (from the catalogue)",
            "routes              none: no function handles this event",
        ],
        stderr: &[],
    },
    Expected {
        file: "sns-malformed.json",
        status: 1,
        stdout_lines: &[
            "error               SNS message 9f1b3d5e-7a9c-5e1f-c3d5-6c8d0e2f4a07: field \"Message\": invalid JSON: EOF while parsing an object at line 1 column 246",
        ],
        stderr: &[
            "sns-malformed.json: Records[0]: SNS message 9f1b3d5e-7a9c-5e1f-c3d5-6c8d0e2f4a07: field \"Message\": invalid JSON",
            "sns-malformed.json: 1 of 1 records failed to parse",
        ],
    },
    Expected {
        file: "sns-subscription-notice.json",
        status: 0,
        stdout_lines: &[
            "subscription notice This is a message to notify that RDS will attempt to send you event notifications of type db-instance to the topic arn:aws:sns:us-east-1:123456789012:rds-events.",
            "routes              none: functions skip this notice without an error",
        ],
        stderr: &[],
    },
    Expected {
        file: "eventbridge-instance-failover.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0049",
            "categories          failover (from the envelope)",
            "delivery            EventBridge, detail-type \"RDS DB Instance Event\", account 123456789012, region us-east-1",
            "routes              failover-reactor",
        ],
        stderr: &[],
    },
    Expected {
        file: "eventbridge-cluster-snapshot.json",
        status: 0,
        stdout_lines: &[
            "event ID            RDS-EVENT-0075",
            "source type         db-cluster-snapshot",
            "categories          backup (from the envelope)",
            "routes              backup-notifier",
        ],
        stderr: &[],
    },
];

#[test]
fn explain_covers_every_sample() {
    let names: BTreeSet<String> = std::fs::read_dir(workspace_dir().join("events"))
        .expect("events/ is readable")
        .map(|entry| entry.expect("directory entry").file_name())
        .filter_map(|name| name.to_str().map(str::to_owned))
        .filter(|name| name.ends_with(".json"))
        .collect();
    let tested: BTreeSet<String> = SAMPLES
        .iter()
        .map(|expected| expected.file.to_owned())
        .collect();
    assert_eq!(names, tested, "a sample in events/ has no case here");
}

#[test]
fn explain_every_sample_text() {
    for expected in SAMPLES {
        let path = sample(expected.file);
        let output = run(&["explain", &path], None);
        let out = stdout(&output);
        let err = stderr(&output);
        let lines: Vec<&str> = out.lines().map(str::trim).collect();

        assert_eq!(
            output.status.code(),
            Some(expected.status),
            "{}: {err}",
            expected.file
        );
        assert!(
            out.starts_with(&format!("{path} ")),
            "{}: first line names the file: {out}",
            expected.file
        );
        for line in expected.stdout_lines {
            assert!(
                lines.contains(line),
                "{}: stdout lacks {line:?}:\n{out}",
                expected.file
            );
        }
        if expected.stderr.is_empty() {
            assert_eq!(err, "", "{}: stderr", expected.file);
        }
        for text in expected.stderr {
            assert!(
                err.contains(text),
                "{}: stderr lacks {text:?}:\n{err}",
                expected.file
            );
        }
    }
}

#[test]
fn explain_json_fields_of_samples() {
    // (file, event ID, source type, categories, routes, source ID, time, delivery kind)
    let cases = [
        (
            "sns-docs-example.json",
            "RDS-EVENT-0002",
            "db-instance",
            json!(["backup"]),
            json!(["backup-notifier"]),
            "dbinstanceid",
            "2019-01-02T12:45:06Z",
            "sns",
        ),
        (
            "sns-backup-finished.json",
            "RDS-EVENT-0002",
            "db-instance",
            json!(["backup"]),
            json!(["backup-notifier"]),
            "orders-db",
            "2026-12-04T03:14:52.117Z",
            "sns",
        ),
        (
            "sns-snapshot-created.json",
            "RDS-EVENT-0042",
            "db-snapshot",
            json!(["creation"]),
            json!(["backup-notifier"]),
            "orders-db-before-upgrade",
            "2026-12-04T09:30:11.402Z",
            "sns",
        ),
        (
            "sns-cluster-snapshot-created.json",
            "RDS-EVENT-0075",
            "db-cluster-snapshot",
            json!(["backup"]),
            json!(["backup-notifier"]),
            "billing-aurora-before-upgrade",
            "2026-12-04T03:41:07.876Z",
            "sns",
        ),
        (
            "sns-instance-failover.json",
            "RDS-EVENT-0049",
            "db-instance",
            json!(["failover"]),
            json!(["failover-reactor"]),
            "orders-db",
            "2026-12-04T11:02:45.009Z",
            "sns",
        ),
        (
            "sns-cluster-failover.json",
            "RDS-EVENT-0071",
            "db-cluster",
            json!(["failover"]),
            json!(["failover-reactor"]),
            "billing-aurora",
            "2026-12-04T11:20:03.551Z",
            "sns",
        ),
        (
            "sns-outside-routes.json",
            "RDS-EVENT-0087",
            "db-instance",
            json!(["notification"]),
            json!([]),
            "orders-db",
            "2026-12-04T19:00:00.250Z",
            "sns",
        ),
        (
            "eventbridge-instance-failover.json",
            "RDS-EVENT-0049",
            "db-instance",
            json!(["failover"]),
            json!(["failover-reactor"]),
            "orders-db",
            "2026-12-04T11:02:45.009Z",
            "event_bridge",
        ),
        (
            "eventbridge-cluster-snapshot.json",
            "RDS-EVENT-0075",
            "db-cluster-snapshot",
            json!(["backup"]),
            json!(["backup-notifier"]),
            "billing-aurora-before-upgrade",
            "2026-12-04T03:41:07.876Z",
            "event_bridge",
        ),
    ];
    for (file, event_id, source_type, categories, routes, source_id, time, delivery) in cases {
        let output = run(&["explain", "--json", &sample(file)], None);
        let records = json_lines(&output);
        assert_eq!(output.status.code(), Some(0), "{file}");
        assert_eq!(records.len(), 1, "{file}: records");
        let record = &records[0];
        assert_eq!(record["record"], json!(0), "{file}: record");
        assert_eq!(record["kind"], json!("event"), "{file}: kind");
        assert_eq!(record["event_id"], json!(event_id), "{file}: event_id");
        assert_eq!(
            record["source_type"],
            json!(source_type),
            "{file}: source_type"
        );
        assert_eq!(record["categories"], categories, "{file}: categories");
        assert_eq!(record["routes"], routes, "{file}: routes");
        assert_eq!(
            record["sns_filter_only_routes"],
            json!([]),
            "{file}: sns_filter_only_routes"
        );
        assert_eq!(record["source_id"], json!(source_id), "{file}: source_id");
        assert_eq!(record["time"], json!(time), "{file}: time");
        assert!(record["message"].is_string(), "{file}: message");
        assert!(
            record["documented_message"].is_string(),
            "{file}: documented_message"
        );
        assert_eq!(
            record["delivery"]["kind"],
            json!(delivery),
            "{file}: delivery"
        );
    }
}

#[test]
fn explain_json_delivery_ids() {
    let output = run(
        &["explain", "--json", &sample("sns-backup-finished.json")],
        None,
    );
    let record = &json_lines(&output)[0];
    assert_eq!(
        record["delivery"],
        json!({
            "kind": "sns",
            "message_id": "3f1c6a52-9b1e-5d0a-8c3e-0a6f2b1d4c01",
            "topic_arn": "arn:aws:sns:us-east-1:123456789012:rds-events",
            "timestamp": "2026-12-04T03:14:53.020Z",
        })
    );
    assert_eq!(record["tags"], json!({ "team": "orders" }));
    assert_eq!(
        record["source_arn"],
        json!("arn:aws:rds:us-east-1:123456789012:db:orders-db")
    );

    let output = run(
        &[
            "explain",
            "--json",
            &sample("eventbridge-instance-failover.json"),
        ],
        None,
    );
    let record = &json_lines(&output)[0];
    assert_eq!(
        record["delivery"],
        json!({
            "kind": "event_bridge",
            "id": "68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e",
            "detail_type": "RDS DB Instance Event",
            "account": "123456789012",
            "region": "us-east-1",
        })
    );
}

#[test]
fn explain_json_notice_and_error() {
    let output = run(
        &["explain", "--json", &sample("sns-subscription-notice.json")],
        None,
    );
    let records = json_lines(&output);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(records[0]["kind"], json!("subscription_notice"));
    assert_eq!(
        records[0]["message_id"],
        json!("0a2c4e6f-8b0d-5f2a-d4e6-7d9e1f3a5b08")
    );

    let output = run(&["explain", "--json", &sample("sns-malformed.json")], None);
    let records = json_lines(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(records[0]["kind"], json!("error"));
    assert_eq!(
        records[0]["id"],
        json!("9f1b3d5e-7a9c-5e1f-c3d5-6c8d0e2f4a07")
    );
    assert_eq!(records[0]["field"], json!("Message"));
}

#[test]
fn explain_batch_explains_good_records() {
    let path = batch_fixture();
    let output = run(&["explain", &path], None);
    let out = stdout(&output);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        out.contains(&format!(
            "{path} Records[0]: SNS message b1a2c3d4-0001-5e6f-8a9b-0c1d2e3f4a01"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{path} Records[1]: failed to parse")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{path} Records[2]: SNS message b1a2c3d4-0003-5e6f-8a9b-0c1d2e3f4a03"
        )),
        "{out}"
    );
    assert!(
        err.contains(&format!(
            "error: {path}: Records[1]: SNS message b1a2c3d4-0002-5e6f-8a9b-0c1d2e3f4a02: \
             field \"Event Time\": invalid timestamp \"yesterday\""
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("error: {path}: 1 of 3 records failed to parse")),
        "{err}"
    );
}

#[test]
fn explain_json_batch_keeps_order() {
    let output = run(&["explain", "--json", &batch_fixture()], None);
    let records = json_lines(&output);
    let kinds: Vec<&Value> = records.iter().map(|record| &record["kind"]).collect();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(kinds, [&json!("event"), &json!("error"), &json!("event")]);
    assert_eq!(records[1]["field"], json!("Event Time"));
    assert_eq!(records[2]["event_id"], json!("RDS-EVENT-0071"));
}

#[test]
fn explain_stdin_notes_filter_only_route() {
    // The backup route lists db-cluster (for exports) and RDS-EVENT-0002 (for instance
    // backups), so its SNS filter lets db-cluster RDS-EVENT-0002 through.
    let payload = sns_payload("db-cluster", "RDS-EVENT-0002");
    let output = run(&["explain", "-"], Some(&payload));
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0));
    assert!(out.starts_with("standard input Records[0]: "), "{out}");
    assert!(
        out.contains("routes              none: no function handles this event"),
        "{out}"
    );
    assert!(
        out.contains(
            "SNS filter only     backup-notifier: its SNS filter policy lets this event \
             through, and the function skips it"
        ),
        "{out}"
    );

    let output = run(&["explain", "--json", "-"], Some(&payload));
    let record = &json_lines(&output)[0];
    assert_eq!(record["routes"], json!([]));
    assert_eq!(record["sns_filter_only_routes"], json!(["backup-notifier"]));
    assert_eq!(record["documented_message"], Value::Null);
    assert_eq!(record["categories"], json!([]));
}

#[test]
fn explain_notes_eventbridge_only_route() {
    // An ID the catalogue lacks, carrying the failover category: the failover route takes it
    // through EventBridge, but its SNS filter lists only documented IDs.
    let mut payload: Value = serde_json::from_str(
        &std::fs::read_to_string(sample("eventbridge-instance-failover.json")).expect("sample"),
    )
    .expect("sample is JSON");
    payload["detail"]["EventID"] = json!("RDS-EVENT-9999");
    let output = run(&["explain", "-"], Some(&payload.to_string()));
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        out.contains("routes              failover-reactor"),
        "{out}"
    );
    assert!(
        out.contains(
            "EventBridge only    failover-reactor: takes this event, but its SNS filter \
             policy drops it"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "documented message  none: the catalogue has no RDS-EVENT-9999 for db-instance"
        ),
        "{out}"
    );
}

#[test]
fn explain_missing_file_exits_2() {
    let path = workspace_dir().join("events/no-such-file.json");
    let path = path.display().to_string();
    let output = run(&["explain", &path], None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err.starts_with(&format!("error: failed to read {path}: ")),
        "{err}"
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn explain_invalid_json_file_exits_2() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rds-events-cli-invalid.json");
    std::fs::write(&path, "{\"Records\": [").expect("write temporary file");
    let path = path.display().to_string();
    let output = run(&["explain", &path], None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err.starts_with(&format!("error: {path}: invalid JSON: EOF while parsing")),
        "{err}"
    );
}

#[test]
fn explain_invalid_json_stdin_exits_2() {
    let output = run(&["explain", "-"], Some("not json"));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err.starts_with("error: standard input: invalid JSON: "),
        "{err}"
    );
}

#[test]
fn explain_unknown_payload_exits_1() {
    let output = run(&["explain", "-"], Some("{\"hello\": \"world\"}"));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        err,
        "error: standard input: payload: neither an SNS event (with Records) nor an \
         EventBridge event (with detail-type)\n"
    );
}

#[test]
fn explain_other_eventbridge_source_exits_1() {
    let mut payload: Value = serde_json::from_str(
        &std::fs::read_to_string(sample("eventbridge-instance-failover.json")).expect("sample"),
    )
    .expect("sample is JSON");
    payload["source"] = json!("aws.ec2");
    let output = run(&["explain", "-"], Some(&payload.to_string()));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        err.contains(
            "error: standard input: event: EventBridge event 68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e: \
             field \"source\": not an RDS event: source is \"aws.ec2\""
        ),
        "{err}"
    );
}

#[test]
fn explain_without_file_exits_2() {
    let output = run(&["explain"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("<FILE>"), "{}", stderr(&output));
}

#[test]
fn policy_each_route_each_format() {
    for route in ROUTES {
        let sns = sns_filter_policy(&route.selector).expect("route policies are valid");
        let eventbridge = eventbridge_pattern(&route.selector);
        let subscriptions =
            serde_json::to_value(event_subscriptions(&[route])).expect("serializable");
        let cases = [
            (vec!["policy", route.name], &sns),
            (vec!["policy", route.name, "--format", "sns"], &sns),
            (
                vec!["policy", route.name, "--format", "eventbridge"],
                &eventbridge,
            ),
            (
                vec!["policy", route.name, "--format", "subscription"],
                &subscriptions,
            ),
        ];
        for (args, expected) in cases {
            let output = run(&args, None);
            let out = stdout(&output);
            assert_eq!(output.status.code(), Some(0), "{args:?}");
            let printed: Value = serde_json::from_str(&out)
                .unwrap_or_else(|err| panic!("{args:?}: not JSON ({err}): {out}"));
            assert_eq!(&printed, expected, "{args:?}");
            assert!(out.contains("\n  "), "{args:?}: not pretty-printed");
        }
    }
}

#[test]
fn policy_subscription_lists_categories() {
    let output = run(
        &["policy", "failover-reactor", "--format", "subscription"],
        None,
    );
    let printed: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(
        printed[0],
        json!({
            "source_type": "db-instance",
            "categories": ["availability", "failover", "notification", "recovery"]
        })
    );
}

#[test]
fn policy_unknown_route_lists_known() {
    let output = run(&["policy", "no-such-function"], None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(err.contains("'no-such-function'"), "{err}");
    assert!(
        err.contains("unknown route; known routes: backup-notifier, failover-reactor"),
        "{err}"
    );
}

#[test]
fn policy_unknown_format_exits_2() {
    let output = run(&["policy", "backup-notifier", "--format", "yaml"], None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(err.contains("sns, eventbridge, subscription"), "{err}");
}

#[test]
fn catalogue_table_matches_tsv() {
    let tsv = std::fs::read_to_string(
        workspace_dir().join("crates/rds-events/data/rds-event-catalogue.tsv"),
    )
    .expect("catalogue TSV");
    let output = run(&["catalogue"], None);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(out.lines().next(), tsv.lines().next(), "header");
    let printed: BTreeSet<String> = out.lines().skip(1).map(str::to_owned).collect();
    // The tool spells categories as the RDS API does (`global-failover`), where the user
    // guides' tables, and so the TSV, may use spaces.
    let rows: BTreeSet<String> = tsv
        .lines()
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut fields: Vec<String> = line.split('\t').map(str::to_owned).collect();
            let categories: Vec<String> = fields[1]
                .split(", ")
                .map(|name| Category::from_name(name).as_str().to_owned())
                .collect();
            fields[1] = categories.join(", ");
            fields.join("\t")
        })
        .collect();
    assert_eq!(printed.len(), 346);
    assert_eq!(printed, rows);
}

#[test]
fn catalogue_filters_source_type() {
    for source_type in SourceType::KNOWN {
        let expected = catalogue::entries()
            .iter()
            .filter(|entry| entry.source_type == source_type)
            .count();
        let output = run(&["catalogue", "--source-type", source_type.as_str()], None);
        let out = stdout(&output);
        let rows: Vec<&str> = out.lines().skip(1).collect();
        assert_eq!(output.status.code(), Some(0), "{source_type}");
        assert_eq!(rows.len(), expected, "{source_type}: rows");
        assert!(
            rows.iter()
                .all(|row| row.starts_with(&format!("{source_type}\t"))),
            "{source_type}: {out}"
        );
    }
}

#[test]
fn catalogue_eventbridge_spelling_accepted() {
    let rds = stdout(&run(
        &["catalogue", "--source-type", "db-cluster-snapshot"],
        None,
    ));
    let eventbridge = stdout(&run(
        &["catalogue", "--source-type", "CLUSTER_SNAPSHOT"],
        None,
    ));
    let expected = catalogue::entries()
        .iter()
        .filter(|entry| entry.source_type == SourceType::DbClusterSnapshot)
        .count();
    assert_eq!(rds, eventbridge);
    assert_eq!(rds.lines().count(), 1 + expected);
}

#[test]
fn catalogue_filters_category_and_type() {
    let output = run(
        &[
            "catalogue",
            "--category",
            "configuration change",
            "--source-type",
            "db-proxy",
            "--json",
        ],
        None,
    );
    let entries = json_lines(&output);
    let expected = catalogue::entries()
        .iter()
        .filter(|entry| {
            entry.source_type == SourceType::DbProxy
                && entry.categories.contains(&Category::ConfigurationChange)
        })
        .count();
    assert_eq!(output.status.code(), Some(0));
    assert!(expected > 0);
    assert_eq!(entries.len(), expected);
    for entry in &entries {
        assert_eq!(entry["source_type"], json!("db-proxy"), "{entry}");
        assert!(
            entry["categories"]
                .as_array()
                .expect("categories")
                .contains(&json!("configuration change")),
            "{entry}"
        );
        assert!(entry["event_id"].is_string(), "{entry}");
        assert!(entry["message"].is_string(), "{entry}");
    }
}

#[test]
fn catalogue_category_counts_combined_labels() {
    let output = run(&["catalogue", "--category", "notification", "--json"], None);
    let entries = json_lines(&output);
    let expected = catalogue::entries()
        .iter()
        .filter(|entry| entry.categories.contains(&Category::Notification))
        .count();
    assert_eq!(entries.len(), expected);
    assert!(
        entries
            .iter()
            .any(|entry| entry["categories"] == json!(["maintenance", "notification"])),
        "an event labelled maintenance, notification is listed"
    );
}

#[test]
fn catalogue_unknown_filters_exit_2() {
    let output = run(&["catalogue", "--source-type", "db-thing"], None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err.contains("db-cluster-snapshot (CLUSTER_SNAPSHOT)"),
        "{err}"
    );

    let output = run(&["catalogue", "--category", "weather"], None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        err.contains("known categories: availability, backtrack"),
        "{err}"
    );
}

#[test]
fn help_describes_each_option() {
    let explain = stdout(&run(&["explain", "--help"], None));
    assert!(explain.contains("--json"), "{explain}");
    assert!(explain.contains("JSON Lines"), "{explain}");
    assert!(explain.contains("standard input"), "{explain}");

    let policy = stdout(&run(&["policy", "--help"], None));
    assert!(
        policy.contains("backup-notifier, failover-reactor"),
        "{policy}"
    );
    assert!(policy.contains("eventbridge"), "{policy}");
    assert!(policy.contains("subscription"), "{policy}");

    let catalogue = stdout(&run(&["catalogue", "--help"], None));
    assert!(catalogue.contains("--source-type <TYPE>"), "{catalogue}");
    assert!(catalogue.contains("--category <CATEGORY>"), "{catalogue}");

    let top = run(&["--help"], None);
    assert_eq!(top.status.code(), Some(0));
    assert!(stdout(&top).contains("explain"));
}

#[test]
fn no_command_exits_2() {
    let output = run(&[], None);
    assert_eq!(output.status.code(), Some(2));
}
