"""Python reference for the parse and classify benchmark of rds-events.

One iteration takes a Lambda payload from its JSON text to the routes that take its events, as
crates/rds-events/benches/parse_classify.rs does. It runs `json.loads` on the payload (and on
the SNS `Message`), takes the event ID from the URL fragment, looks the event up in a dict of
the catalogue, and matches it against each route. It checks less than
`rds_events::parse_payload` does (no field types, no timestamp parsing), so its time is a
lower bound of what Python would spend.

    python3 bench/python/parse_classify.py [--seconds 1.0]   # prints JSON results
"""

import argparse
import csv
import json
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "crates" / "rds-events" / "data" / "rds-event-catalogue.tsv"
SAMPLES = {
    "sns": REPO / "events" / "sns-docs-example.json",
    "eventbridge": REPO / "crates" / "rds-events" / "benches" / "eventbridge-docs-example.json",
}

# EventBridge's SourceType names mapped to the names of SNS messages and the catalogue.
EVENTBRIDGE_SOURCE_TYPES = {
    "DB_INSTANCE": "db-instance",
    "CLUSTER": "db-cluster",
    "DB_PARAM": "db-parameter-group",
    "SECURITY_GROUP": "db-security-group",
    "SNAPSHOT": "db-snapshot",
    "CLUSTER_SNAPSHOT": "db-cluster-snapshot",
    "DB_PROXY": "db-proxy",
}


def _ids(*numbers):
    return frozenset(f"RDS-EVENT-{number:04d}" for number in numbers)


# NOTE: a copy of rds_events::route::ROUTES (crates/rds-events/src/route.rs) as
# {route: {source type: (categories, event IDs)}}. A stale copy changes what matches but not
# the cost of matching, so the benchmark stays fair. The check in main() catches a drift that
# changes the results for the samples.
ROUTES = {
    "backup-notifier": {
        "db-instance": (frozenset({"backup"}), frozenset()),
        "db-cluster": (frozenset(), _ids(234, 235, 236)),
        "db-snapshot": (
            frozenset({"creation", "deletion", "failure"}),
            _ids(59, 60, 61, 159, 160, 161, 190, 196, 197),
        ),
        "db-cluster-snapshot": (frozenset({"backup", "failure"}), _ids(162, 163, 164)),
    },
    "failover-reactor": {
        "db-instance": (frozenset({"failover"}), _ids(6, 20, 21, 52, 53, 361, 362)),
        "db-cluster": (frozenset({"failover", "global failover"}), frozenset()),
        "blue-green-deployment": (
            frozenset(),
            _ids(247, 248, 249, 250, 251, 252, 259, 260, 261),
        ),
    },
}


def load_catalogue(path=CATALOGUE):
    """Returns {(source type, event ID): categories} from the catalogue TSV."""
    with open(path, newline="", encoding="utf-8") as file:
        rows = csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {
            (row["source_type"], row["event_id"]): tuple(
                label.strip() for label in row["category"].split(",")
            )
            for row in rows
        }


def classify(payload, catalogue):
    """Returns [(documented, number of routes)] for the events of a payload's JSON text."""
    document = json.loads(payload)
    if "Records" in document:
        events = []
        for record in document["Records"]:
            message = json.loads(record["Sns"]["Message"])
            event_id = message["Event ID"].rpartition("#")[2]
            events.append((message["Event Source"], event_id, ()))
    else:
        detail = document["detail"]
        source_type = EVENTBRIDGE_SOURCE_TYPES.get(detail["SourceType"], detail["SourceType"])
        events = [(source_type, detail["EventID"], tuple(detail.get("EventCategories", ())))]

    results = []
    for source_type, event_id, delivered in events:
        documented = catalogue.get((source_type, event_id))
        categories = delivered or documented or ()
        routes = 0
        for clauses in ROUTES.values():
            clause = clauses.get(source_type)
            if clause and (
                event_id in clause[1] or any(category in clause[0] for category in categories)
            ):
                routes += 1
        results.append((documented is not None, routes))
    return results


def measure(call, seconds, repeats=7):
    """Returns the median over `repeats` of the mean nanoseconds per call, and the calls made."""
    # Find a batch size that takes about seconds / repeats.
    batch = 1
    while True:
        started = time.perf_counter_ns()
        for _ in range(batch):
            call()
        elapsed = time.perf_counter_ns() - started
        if elapsed * repeats >= seconds * 1e9 or batch >= 1 << 24:
            break
        batch *= 2
    samples = []
    for _ in range(repeats):
        started = time.perf_counter_ns()
        for _ in range(batch):
            call()
        samples.append((time.perf_counter_ns() - started) / batch)
    return statistics.median(samples), batch * repeats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=1.0, help="measurement time per payload, in seconds"
    )
    args = parser.parse_args()
    catalogue = load_catalogue()
    results = {}
    for name, path in SAMPLES.items():
        payload = path.read_text(encoding="utf-8")
        classified = classify(payload, catalogue)
        if classified != [(True, 1)]:
            raise SystemExit(f"{name}: classified as {classified}, expected one documented event"
                             " that one route takes")
        nanoseconds, iterations = measure(lambda: classify(payload, catalogue), args.seconds)
        results[name] = {"ns_per_event": nanoseconds, "iterations": iterations}

    # The two JSON parses of the SNS iteration alone, to show where its time goes.
    payload = SAMPLES["sns"].read_text(encoding="utf-8")
    message = json.loads(payload)["Records"][0]["Sns"]["Message"]
    steps = {
        "json_loads_payload": lambda: json.loads(payload),
        "json_loads_message": lambda: json.loads(message),
    }
    results["sns_steps"] = {
        name: measure(call, args.seconds / 2)[0] for name, call in steps.items()
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
