//! The generated blocks of the template, derived from the routes.
//!
//! Each block is a run of YAML mapping entries that sits between a `# BEGIN GENERATED <name>`
//! and an `# END GENERATED <name>` line. Keys are written as plain YAML and values as JSON
//! flow collections, so everything a route controls is quoted by serde_json.

use rds_events::SourceType;
use rds_events::policy::{self, EventSubscription, PolicyError};
use rds_events::route::Route;
use serde_json::{Value, json};

use crate::flow;

/// The block name of the parameters that limit each event subscription to listed sources.
pub const SOURCE_ID_PARAMETERS: &str = "source-id-parameters";
/// The block name of the conditions that tell whether such a parameter is set.
pub const SOURCE_ID_CONDITIONS: &str = "source-id-conditions";
/// The block name of the RDS event subscriptions.
pub const EVENT_SUBSCRIPTIONS: &str = "event-subscriptions";

/// The logical ID of the topic the event subscriptions publish to.
const RDS_EVENTS_TOPIC: &str = "RdsEventsTopic";
/// The logical ID of the topic policy that lets RDS publish, which subscriptions wait for.
const RDS_EVENTS_TOPIC_POLICY: &str = "RdsEventsTopicPolicy";
/// The condition under which EventBridge rules deliver the events instead of the
/// subscriptions.
const USE_EVENTBRIDGE_RULES: &str = "UseEventBridgeRules";

/// A route whose policies cannot be derived.
#[derive(Debug, thiserror::Error)]
#[error("route {route}: {source}")]
pub struct GenerateError {
    /// The function name of the route.
    pub route: &'static str,
    /// The reason its SNS filter policy was rejected.
    #[source]
    pub source: PolicyError,
}

/// A YAML node: a block mapping of plain keys, or a JSON value written in flow style.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Entries written as `key:` followed by the nested entries, two columns deeper.
    Map(Vec<(String, Node)>),
    /// A value written as `key: <JSON>`.
    Value(Value),
}

/// One generated block of the template.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The name in the marker lines.
    pub name: String,
    /// The place of the block in the template, for the error message when it is missing.
    pub location: String,
    /// The mapping entries between the markers.
    pub entries: Vec<(String, Node)>,
}

impl Block {
    /// Renders the entries as YAML lines indented by `indent`, each ending with a newline.
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        render_entries(&mut out, &self.entries, indent);
        out
    }
}

fn render_entries(out: &mut String, entries: &[(String, Node)], indent: usize) {
    for (key, node) in entries {
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(key);
        out.push(':');
        match node {
            Node::Map(children) => {
                out.push('\n');
                render_entries(out, children, indent + 2);
            }
            Node::Value(value) => {
                out.push(' ');
                let start = indent + key.len() + 2;
                out.push_str(&flow::format(value, start, indent + 2));
                out.push('\n');
            }
        }
    }
}

/// Derives every generated block from the routes: the source-ID parameters and conditions
/// and the event subscriptions for all routes together, then the SNS filter policy and the
/// EventBridge pattern of each route.
///
/// # Errors
/// Returns an error naming the route whose SNS filter policy is invalid or exceeds an SNS
/// limit.
pub fn blocks(routes: &[&Route]) -> Result<Vec<Block>, GenerateError> {
    let subscriptions = policy::event_subscriptions(routes);
    let mut blocks = vec![
        Block {
            name: SOURCE_ID_PARAMETERS.to_owned(),
            location: "under Parameters".to_owned(),
            entries: subscriptions.iter().map(source_id_parameter).collect(),
        },
        Block {
            name: SOURCE_ID_CONDITIONS.to_owned(),
            location: "under Conditions".to_owned(),
            entries: subscriptions.iter().map(source_id_condition).collect(),
        },
        Block {
            name: EVENT_SUBSCRIPTIONS.to_owned(),
            location: "under Resources".to_owned(),
            entries: subscriptions.iter().map(event_subscription).collect(),
        },
    ];
    for route in routes {
        let filter_policy =
            policy::sns_filter_policy(&route.selector).map_err(|source| GenerateError {
                route: route.name,
                source,
            })?;
        blocks.push(Block {
            name: sns_filter_policy_block(route.name),
            location: format!(
                "in the Properties of the {} function's SNS event",
                route.name
            ),
            entries: vec![("FilterPolicy".to_owned(), Node::Value(filter_policy))],
        });
        blocks.push(Block {
            name: eventbridge_pattern_block(route.name),
            location: format!(
                "in the Properties of the {} function's EventBridge rule",
                route.name
            ),
            entries: vec![(
                "EventPattern".to_owned(),
                Node::Value(policy::eventbridge_pattern(&route.selector)),
            )],
        });
    }
    Ok(blocks)
}

/// Returns the name of a route's SNS filter policy block.
pub fn sns_filter_policy_block(route_name: &str) -> String {
    format!("{route_name}-sns-filter-policy")
}

/// Returns the name of a route's EventBridge pattern block.
pub fn eventbridge_pattern_block(route_name: &str) -> String {
    format!("{route_name}-eventbridge-pattern")
}

/// Returns the source type's name in Pascal case (`db-cluster-snapshot` becomes
/// `DbClusterSnapshot`), for logical IDs. Characters other than ASCII letters and digits are
/// dropped, so the result is always a plain YAML key.
fn pascal_case(source_type: &SourceType) -> String {
    source_type
        .as_str()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn parameter_id(source_type: &SourceType) -> String {
    format!("{}SourceIds", pascal_case(source_type))
}

fn condition_id(source_type: &SourceType) -> String {
    format!("Has{}SourceIds", pascal_case(source_type))
}

fn source_id_parameter(subscription: &EventSubscription) -> (String, Node) {
    let source_type = subscription.source_type.as_str();
    let description = format!(
        "Comma-separated identifiers of the {source_type} sources whose events RDS sends. \
         Empty sends the events of every {source_type}"
    );
    (
        parameter_id(&subscription.source_type),
        Node::Map(vec![
            ("Type".to_owned(), Node::Value(json!("CommaDelimitedList"))),
            ("Default".to_owned(), Node::Value(json!(""))),
            ("Description".to_owned(), Node::Value(json!(description))),
        ]),
    )
}

fn source_id_condition(subscription: &EventSubscription) -> (String, Node) {
    let parameter = parameter_id(&subscription.source_type);
    let joined = json!({"Fn::Join": ["", {"Ref": parameter}]});
    (
        condition_id(&subscription.source_type),
        Node::Value(json!({"Fn::Not": [{"Fn::Equals": [joined, ""]}]})),
    )
}

fn event_subscription(subscription: &EventSubscription) -> (String, Node) {
    let source_type = &subscription.source_type;
    let source_ids = json!({"Fn::If": [
        condition_id(source_type),
        {"Ref": parameter_id(source_type)},
        {"Ref": "AWS::NoValue"},
    ]});
    let categories: Vec<&str> = subscription
        .categories
        .iter()
        .map(|category| category.as_str())
        .collect();
    // With EventBridge rules on, a subscription still enabled would deliver each event twice.
    let enabled = json!({"Fn::If": [USE_EVENTBRIDGE_RULES, false, true]});
    let properties = vec![
        ("Enabled".to_owned(), Node::Value(enabled)),
        (
            "SnsTopicArn".to_owned(),
            Node::Value(json!({"Ref": RDS_EVENTS_TOPIC})),
        ),
        (
            "SourceType".to_owned(),
            Node::Value(json!(source_type.as_str())),
        ),
        ("EventCategories".to_owned(), Node::Value(json!(categories))),
        ("SourceIds".to_owned(), Node::Value(source_ids)),
    ];
    (
        format!("{}EventSubscription", pascal_case(source_type)),
        Node::Map(vec![
            (
                "Type".to_owned(),
                Node::Value(json!("AWS::RDS::EventSubscription")),
            ),
            // RDS sends a first message when the subscription is created, so the topic
            // policy that lets it publish must exist by then.
            (
                "DependsOn".to_owned(),
                Node::Value(json!(RDS_EVENTS_TOPIC_POLICY)),
            ),
            ("Properties".to_owned(), Node::Map(properties)),
        ]),
    )
}

#[cfg(test)]
mod tests {
    use rds_events::route::{BACKUP_NOTIFIER, ROUTES};

    use super::*;

    fn find<'a>(blocks: &'a [Block], name: &str) -> &'a Block {
        blocks
            .iter()
            .find(|block| block.name == name)
            .unwrap_or_else(|| panic!("no block {name}"))
    }

    #[test]
    fn pascal_case_joins_words() {
        assert_eq!(
            pascal_case(&SourceType::DbClusterSnapshot),
            "DbClusterSnapshot"
        );
        assert_eq!(
            pascal_case(&SourceType::BlueGreenDeployment),
            "BlueGreenDeployment"
        );
    }

    #[test]
    fn blocks_cover_every_route() {
        let blocks = blocks(&ROUTES).expect("routes are valid");
        let names: Vec<&str> = blocks.iter().map(|block| block.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "source-id-parameters",
                "source-id-conditions",
                "event-subscriptions",
                "backup-notifier-sns-filter-policy",
                "backup-notifier-eventbridge-pattern",
                "failover-reactor-sns-filter-policy",
                "failover-reactor-eventbridge-pattern",
            ]
        );
    }

    #[test]
    fn subscription_renders_source_type_and_categories() {
        let blocks = blocks(&[&BACKUP_NOTIFIER]).expect("route is valid");
        let text = find(&blocks, EVENT_SUBSCRIPTIONS).render(2);
        assert!(
            text.starts_with("  DbInstanceEventSubscription:\n"),
            "{text}"
        );
        assert!(text.contains("\n    Type: \"AWS::RDS::EventSubscription\"\n"));
        assert!(text.contains("\n      SourceType: \"db-instance\"\n"));
        assert!(
            text.contains("\n      EventCategories: [\"backup\", \"configuration change\"]\n"),
            "{text}"
        );
        assert!(text.contains("\"HasDbInstanceSourceIds\""));
    }

    #[test]
    fn filter_policy_block_holds_route_policy() {
        let blocks = blocks(&[&BACKUP_NOTIFIER]).expect("route is valid");
        let block = find(&blocks, "backup-notifier-sns-filter-policy");
        let expected = policy::sns_filter_policy(&BACKUP_NOTIFIER.selector).expect("valid");
        assert_eq!(
            block.entries,
            vec![("FilterPolicy".to_owned(), Node::Value(expected))]
        );
        let text = block.render(12);
        assert!(text.starts_with("            FilterPolicy: {\n"), "{text}");
        assert!(text.ends_with("              }\n"), "{text}");
    }
}
