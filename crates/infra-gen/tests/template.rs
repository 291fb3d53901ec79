//! The committed SAM template against the routes, and the `infra-gen` binary on copies of it.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

use rds_events::route::{BACKUP_NOTIFIER, Clause, FAILOVER_REACTOR, ROUTES, Route, Selector};
use rds_events::{Category, EventId, SourceType};

fn template_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml")
}

fn committed_template() -> String {
    let path = template_path();
    fs::read_to_string(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infra-gen"))
        .args(args)
        .output()
        .expect("infra-gen runs")
}

#[test]
fn committed_template_matches_routes() {
    let template = committed_template();
    let blocks = infra_gen::blocks(&ROUTES).expect("routes are valid");

    let stale = infra_gen::stale_blocks(&template, &blocks).expect("markers are valid");
    let report: Vec<String> = stale.iter().map(|block| block.diff.clone()).collect();
    assert!(
        stale.is_empty(),
        "run `cargo run -p infra-gen -- --write infra/template.yaml`:\n{}",
        report.concat()
    );
    assert_eq!(
        infra_gen::regenerate(&template, &blocks).expect("markers are valid"),
        template
    );
}

#[test]
fn committed_template_names_every_function() {
    let template = committed_template();
    for route in ROUTES {
        let binary = format!("Binary: {}\n", route.name);
        assert!(
            template.contains(&binary),
            "no function builds {}",
            route.name
        );
    }
}

/// The backup route without its cluster export events, as a route change would leave it.
static CHANGED_BACKUP_NOTIFIER: Route = Route {
    name: "backup-notifier",
    summary: "notifies about backups and snapshots",
    selector: Selector {
        clauses: &[
            Clause {
                source_type: SourceType::DbInstance,
                categories: &[Category::Backup],
                event_ids: &[],
            },
            Clause {
                source_type: SourceType::DbSnapshot,
                categories: &[Category::Creation],
                event_ids: &[EventId::new(59), EventId::new(60)],
            },
        ],
    },
};

#[test]
fn changed_route_makes_its_blocks_stale() {
    assert_ne!(CHANGED_BACKUP_NOTIFIER.selector, BACKUP_NOTIFIER.selector);
    let template = committed_template();
    let blocks =
        infra_gen::blocks(&[&CHANGED_BACKUP_NOTIFIER, &FAILOVER_REACTOR]).expect("valid routes");

    let stale = infra_gen::stale_blocks(&template, &blocks).expect("markers are valid");

    let names: Vec<&str> = stale.iter().map(|block| block.name.as_str()).collect();
    assert!(
        names.contains(&"backup-notifier-sns-filter-policy"),
        "{names:?}"
    );
    assert!(
        names.contains(&"backup-notifier-eventbridge-pattern"),
        "{names:?}"
    );
    // The cluster-snapshot subscription served only the backup route, and goes.
    assert!(names.contains(&"event-subscriptions"), "{names:?}");
    assert!(
        !names.contains(&"failover-reactor-sns-filter-policy"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"failover-reactor-eventbridge-pattern"),
        "{names:?}"
    );
    let events = stale
        .iter()
        .find(|block| block.name == "event-subscriptions")
        .expect("stale subscriptions");
    assert!(
        events
            .diff
            .contains("-  DbClusterSnapshotEventSubscription:\n"),
        "{}",
        events.diff
    );
}

#[test]
fn check_names_altered_block_and_write_restores_it() {
    let committed = committed_template();
    let dir = tempfile::tempdir().expect("temporary directory");
    let copy = dir.path().join("template.yaml");
    let altered_line = r#"{"suffix": "RDS-EVENT-0001"}, {"suffix": "RDS-EVENT-0002"},"#;
    assert!(
        committed.contains(altered_line),
        "template lacks {altered_line}"
    );
    fs::write(
        &copy,
        committed.replacen(altered_line, r#"{"suffix": "RDS-EVENT-0001"},"#, 1),
    )
    .expect("write copy");
    let copy_arg = copy.to_str().expect("UTF-8 path");

    let check = run(&["--check", copy_arg]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("generated block backup-notifier-sns-filter-policy differs"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            r#"+                  {"suffix": "RDS-EVENT-0001"}, {"suffix": "RDS-EVENT-0002"},"#
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("failover-reactor"), "{stderr}");

    let write = run(&["--write", copy_arg]);
    assert_eq!(
        write.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&write.stderr)
    );
    assert_eq!(fs::read_to_string(&copy).expect("read copy"), committed);

    let check = run(&["--check", copy_arg]);
    assert_eq!(check.status.code(), Some(0));
}

#[test]
fn check_rejects_template_without_markers() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let copy = dir.path().join("template.yaml");
    let committed = committed_template();
    let without: String = committed
        .lines()
        .filter(|line| !line.contains("GENERATED failover-reactor-eventbridge-pattern"))
        .map(|line| format!("{line}\n"))
        .collect();
    fs::write(&copy, without).expect("write copy");

    let check = run(&["--check", copy.to_str().expect("UTF-8 path")]);

    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("block failover-reactor-eventbridge-pattern is missing"),
        "{stderr}"
    );
}

#[test]
fn check_reports_unreadable_template() {
    let output = run(&["--check", "/nonexistent/template.yaml"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("failed to read /nonexistent/template.yaml"),
        "{stderr}"
    );
}
