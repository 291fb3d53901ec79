//! Checks every route's SNS filter policy against moto's SNS: one message per catalogue row
//! goes to a topic, and each route's queue must receive exactly the events the route takes
//! plus the extras that `policy::sns_policy_extras` lists.
//!
//! Run it under `scripts/with-moto` (`make test`), which starts moto's server on loopback and
//! sets `AWS_ENDPOINT_URL` and fake credentials.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_sdk_sqs::types::QueueAttributeName;
use rds_events::catalogue::{self, CatalogueEntry};
use rds_events::route::{ROUTES, Route};
use rds_events::{EventId, policy};
use serde_json::{Value, json};
use tokio::task::JoinSet;

/// Publishes in flight at once: enough to keep moto busy, few enough not to swamp it.
const PUBLISH_CONCURRENCY: usize = 16;

/// The documentation URL RDS writes in `Event ID`, before the `#RDS-EVENT-NNNN` fragment.
const DOCS_URL: &str =
    "http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html";

/// A (source type as RDS spells it, event ID) pair.
type Pair = (String, EventId);

/// Returns the moto endpoint from `AWS_ENDPOINT_URL`, which must be on loopback.
///
/// # Panics
/// Panics when the variable is unset or names another host, so the test never reaches AWS.
fn moto_endpoint() -> String {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| {
        panic!("AWS_ENDPOINT_URL is not set: run under scripts/with-moto (make test)")
    });
    let host = endpoint
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':']).next())
        .unwrap_or("");
    assert!(
        ["127.0.0.1", "localhost"].contains(&host),
        "AWS_ENDPOINT_URL is {endpoint:?}, not a loopback address: run under scripts/with-moto \
         (make test)"
    );
    endpoint
}

/// Returns a name no earlier run on the same server has used.
fn unique_name(label: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!("rds-routing-{label}-{}-{nanos}", std::process::id())
}

/// Builds the RDS message of a catalogue row, as RDS writes it in the SNS `Message`.
fn rds_message(index: usize, entry: &CatalogueEntry) -> String {
    let source_id = format!("row-{index}");
    json!({
        "Event Source": entry.source_type.as_str(),
        "Event Time": "2026-12-04 03:14:52.117",
        "Identifier Link": format!(
            "https://console.aws.amazon.com/rds/home?region=us-east-1#dbinstance:id={source_id}"
        ),
        "Source ID": source_id,
        "Source ARN": format!("arn:aws:rds:us-east-1:123456789012:db:{source_id}"),
        "Event ID": format!("{DOCS_URL}#{}", entry.event_id),
        "Event Message": entry.message,
        "Tags": {},
    })
    .to_string()
}

fn pair_of(entry: &CatalogueEntry) -> Pair {
    (entry.source_type.as_str().to_owned(), entry.event_id)
}

/// Returns the pairs a route's subscription must receive: the events the route takes and the
/// extras its filter policy cannot keep out.
fn expected_pairs(route: &Route) -> BTreeSet<Pair> {
    route
        .selector
        .catalogue_events()
        .into_iter()
        .chain(policy::sns_policy_extras(&route.selector))
        .map(pair_of)
        .collect()
}

/// Reads the pair out of an RDS message received with raw message delivery.
fn pair_of_body(body: &str) -> Pair {
    let message: Value = serde_json::from_str(body)
        .unwrap_or_else(|err| panic!("queue message is not JSON ({err}): {body}"));
    let source_type = message["Event Source"]
        .as_str()
        .unwrap_or_else(|| panic!("queue message has no Event Source: {body}"));
    let event_id = message["Event ID"]
        .as_str()
        .and_then(|text| EventId::parse(text).ok())
        .unwrap_or_else(|| panic!("queue message has no valid Event ID: {body}"));
    (source_type.to_owned(), event_id)
}

/// Receives every message in a queue, counting how often each pair arrived.
async fn drain(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> BTreeMap<Pair, usize> {
    let mut received = BTreeMap::new();
    loop {
        let output = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
            .unwrap_or_else(|err| panic!("receive from {queue_url} failed: {err:?}"));
        let messages = output.messages();
        if messages.is_empty() {
            return received;
        }
        for message in messages {
            let body = message.body().unwrap_or_default();
            *received.entry(pair_of_body(body)).or_default() += 1;
        }
    }
}

fn show(pairs: &BTreeSet<Pair>) -> Vec<String> {
    pairs
        .iter()
        .map(|(source_type, id)| format!("{source_type} {id}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_policies_deliver_exactly_route_events() {
    let endpoint = moto_endpoint();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .load()
        .await;
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);

    // One topic, and one queue per route subscribed with the route's filter policy.
    let topic_arn = sns
        .create_topic()
        .name(unique_name("topic"))
        .send()
        .await
        .expect("create topic")
        .topic_arn()
        .expect("topic ARN")
        .to_owned();
    let mut queues = Vec::new();
    for route in ROUTES {
        let queue_url = sqs
            .create_queue()
            .queue_name(unique_name(route.name))
            .send()
            .await
            .expect("create queue")
            .queue_url()
            .expect("queue URL")
            .to_owned();
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("get queue attributes")
            .attributes()
            .and_then(|attributes| attributes.get(&QueueAttributeName::QueueArn))
            .expect("queue ARN")
            .to_owned();
        let filter_policy = policy::sns_filter_policy(&route.selector)
            .unwrap_or_else(|err| panic!("policy of {}: {err}", route.name));
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .attributes("RawMessageDelivery", "true")
            .attributes("FilterPolicyScope", "MessageBody")
            .attributes("FilterPolicy", filter_policy.to_string())
            .send()
            .await
            .unwrap_or_else(|err| panic!("subscribe {}: {err:?}", route.name));
        queues.push((route, queue_url));
    }

    // One message per catalogue row, published in bounded concurrent batches.
    let messages: Vec<String> = catalogue::entries()
        .iter()
        .enumerate()
        .map(|(index, entry)| rds_message(index, entry))
        .collect();
    assert_eq!(messages.len(), 346, "catalogue rows");
    for batch in messages.chunks(PUBLISH_CONCURRENCY) {
        let mut publishes = JoinSet::new();
        for message in batch {
            let request = sns
                .publish()
                .topic_arn(&topic_arn)
                .subject("RDS Notification Message")
                .message(message);
            publishes.spawn(request.send());
        }
        while let Some(joined) = publishes.join_next().await {
            joined
                .expect("publish task")
                .unwrap_or_else(|err| panic!("publish failed: {err:?}"));
        }
    }

    // moto delivers to SQS inside the publish call, so the queues are complete now.
    for (route, queue_url) in queues {
        let received = drain(&sqs, &queue_url).await;
        let expected = expected_pairs(route);
        let got: BTreeSet<Pair> = received.keys().cloned().collect();
        let missed: BTreeSet<Pair> = expected.difference(&got).cloned().collect();
        let extra: BTreeSet<Pair> = got.difference(&expected).cloned().collect();
        let repeated: Vec<&Pair> = received
            .iter()
            .filter(|(_, count)| **count > 1)
            .map(|(pair, _)| pair)
            .collect();

        assert!(
            !expected.is_empty(),
            "{}: the route takes no event",
            route.name
        );
        assert!(
            missed.is_empty(),
            "{}: the filter policy missed {:?}",
            route.name,
            show(&missed)
        );
        assert!(
            extra.is_empty(),
            "{}: the filter policy let through {:?}",
            route.name,
            show(&extra)
        );
        assert!(
            repeated.is_empty(),
            "{}: delivered more than once: {repeated:?}",
            route.name
        );
    }
}
