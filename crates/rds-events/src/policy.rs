//! Infrastructure settings derived from a route's selector: the SNS subscription filter
//! policy, the EventBridge rule pattern and the RDS event subscriptions.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};

use crate::catalogue::{self, CatalogueEntry};
use crate::event::{Category, EventId, SourceType};
use crate::route::{Route, Selector};

/// SNS limits on a subscription filter policy, from the Amazon SNS developer guide
/// ("Amazon SNS subscription filter policy constraints").
pub mod sns_limits {
    /// Keys in one policy.
    pub const MAX_KEYS: usize = 5;
    /// The product of the numbers of values of all keys.
    pub const MAX_COMBINATIONS: usize = 150;
    /// The policy's JSON size, in bytes.
    pub const MAX_BYTES: usize = 256 * 1024;
}

/// A derived policy that SNS would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The selector is malformed.
    #[error("invalid selector: {0}")]
    InvalidSelector(String),
    /// Too many keys.
    #[error("filter policy has {keys} keys; SNS allows at most {max}", max = sns_limits::MAX_KEYS)]
    TooManyKeys {
        /// The number of keys.
        keys: usize,
    },
    /// Too many value combinations.
    #[error(
        "filter policy has {combinations} value combinations ({source_types} source types x \
         {event_ids} event IDs); SNS allows at most {max}: split the route or narrow it",
        max = sns_limits::MAX_COMBINATIONS
    )]
    TooManyCombinations {
        /// The product of the numbers of values.
        combinations: usize,
        /// The number of `Event Source` values.
        source_types: usize,
        /// The number of `Event ID` values.
        event_ids: usize,
    },
    /// The policy's JSON is too large.
    #[error("filter policy is {bytes} bytes; SNS allows at most {max}", max = sns_limits::MAX_BYTES)]
    TooLarge {
        /// The size of the policy's JSON.
        bytes: usize,
    },
}

/// Returns the source types a selector names, in catalogue order.
fn source_types(selector: &Selector) -> BTreeSet<&SourceType> {
    selector
        .clauses
        .iter()
        .map(|clause| &clause.source_type)
        .collect()
}

/// Returns every event ID any clause of the selector takes.
fn all_event_ids(selector: &Selector) -> BTreeSet<EventId> {
    selector
        .clauses
        .iter()
        .flat_map(|clause| selector.clause_event_ids(clause))
        .collect()
}

/// Derives the SNS subscription filter policy of a selector, for `FilterPolicyScope:
/// MessageBody`.
///
/// The policy matches `Event Source` by value and `Event ID` by suffix, because RDS writes the
/// ID as a documentation URL whose host and path have changed over the years but whose
/// fragment is always the ID. SNS checks keys independently, so the policy admits every
/// pairing of a listed source type with a listed ID; [`sns_policy_extras`] lists the
/// documented pairs this lets through that the selector does not take, and the function skips
/// them. (SNS's `$or` could make the policy exact, but moto's server, which the tests use as
/// the reference SNS, fails every publish to a topic with such a MessageBody policy.)
///
/// # Errors
/// Returns an error when the selector is malformed or the policy exceeds an SNS limit.
pub fn sns_filter_policy(selector: &Selector) -> Result<Value, PolicyError> {
    selector.validate().map_err(PolicyError::InvalidSelector)?;
    let source_types = source_types(selector);
    let event_ids = all_event_ids(selector);
    let policy = json!({
        "Event Source": source_types.iter().map(|source_type| source_type.as_str()).collect::<Vec<_>>(),
        "Event ID": event_ids.iter().map(|id| json!({ "suffix": id.to_string() })).collect::<Vec<_>>(),
    });
    check_sns_limits(&policy)?;
    Ok(policy)
}

/// Checks a filter policy against SNS's documented limits on keys, value combinations and
/// size.
///
/// # Errors
/// Returns the first limit exceeded.
pub fn check_sns_limits(policy: &Value) -> Result<(), PolicyError> {
    let Some(keys) = policy.as_object() else {
        return Err(PolicyError::InvalidSelector(
            "filter policy is not a JSON object".to_owned(),
        ));
    };
    if keys.len() > sns_limits::MAX_KEYS {
        return Err(PolicyError::TooManyKeys { keys: keys.len() });
    }
    let counts: Vec<usize> = keys
        .values()
        .map(|values| values.as_array().map_or(1, Vec::len))
        .collect();
    let combinations = counts.iter().product::<usize>();
    if combinations > sns_limits::MAX_COMBINATIONS {
        let count_of = |key: &str| keys.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        return Err(PolicyError::TooManyCombinations {
            combinations,
            source_types: count_of("Event Source"),
            event_ids: count_of("Event ID"),
        });
    }
    let bytes = policy.to_string().len();
    if bytes > sns_limits::MAX_BYTES {
        return Err(PolicyError::TooLarge { bytes });
    }
    Ok(())
}

/// Returns the documented events that the selector's SNS filter policy lets through although
/// the selector does not take them: a listed source type paired with an ID listed for another
/// source type.
pub fn sns_policy_extras(selector: &Selector) -> Vec<&'static CatalogueEntry> {
    let source_types = source_types(selector);
    let event_ids = all_event_ids(selector);
    catalogue::entries()
        .iter()
        .filter(|entry| {
            source_types.contains(&entry.source_type) && event_ids.contains(&entry.event_id)
        })
        .filter(|entry| !selector.matches(&entry.source_type, entry.event_id, entry.categories))
        .collect()
}

/// Returns true when the selector's SNS filter policy lets through an RDS message with this
/// source type and event ID, documented or not.
///
/// N.B. This assumes RDS writes the ID with four digits or more, as every documented ID has:
/// `RDS-EVENT-2` parses to the same [`EventId`] as `RDS-EVENT-0002`, but the policy's
/// suffix `RDS-EVENT-0002` does not match it.
pub fn sns_policy_admits(selector: &Selector, source_type: &SourceType, event_id: EventId) -> bool {
    source_types(selector).contains(source_type) && all_event_ids(selector).contains(&event_id)
}

/// Derives the EventBridge rule pattern of a selector.
///
/// EventBridge's `$or` keeps each source type with its own IDs, so the pattern is exact. For
/// source types whose EventBridge names AWS does not document (blue/green deployments, custom
/// engine versions, DB shard groups), the clause matches on the event ID alone.
pub fn eventbridge_pattern(selector: &Selector) -> Value {
    let mut alternatives: Vec<Value> = selector
        .clauses
        .iter()
        .map(|clause| {
            let ids: Vec<String> = selector
                .clause_event_ids(clause)
                .iter()
                .map(ToString::to_string)
                .collect();
            match clause.source_type.eventbridge_detail_type() {
                Some(_) => json!({
                    "SourceType": [clause.source_type.eventbridge_name()],
                    "EventID": ids,
                }),
                None => json!({ "EventID": ids }),
            }
        })
        .collect();
    let detail = if alternatives.len() == 1 {
        alternatives.remove(0)
    } else {
        json!({ "$or": alternatives })
    };
    json!({ "source": ["aws.rds"], "detail": detail })
}

/// One RDS event subscription: a source type and the categories to send for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSubscription {
    /// The source type; an RDS event subscription takes exactly one.
    pub source_type: SourceType,
    /// The categories whose events RDS sends to the topic.
    pub categories: Vec<Category>,
}

/// Derives the RDS event subscriptions that deliver every event the routes take: one per
/// source type, with enough categories that each documented event taken is in one of them.
///
/// RDS filters subscriptions by category only, so a subscription can send more events than
/// the routes take. Each function's SNS filter policy drops the rest before Lambda runs.
/// An event with two documented labels (`notification, global database`) needs only one of
/// them: a label already needed by another event, else the first. So second labels such as
/// `global database` and `serverless`, whose spelling as subscription categories the RDS
/// documentation does not confirm, stay out of the subscriptions.
pub fn event_subscriptions(routes: &[&Route]) -> Vec<EventSubscription> {
    let entries: Vec<&CatalogueEntry> = routes
        .iter()
        .flat_map(|route| route.selector.catalogue_events())
        .collect();
    let mut by_source_type: BTreeMap<SourceType, BTreeSet<Category>> = BTreeMap::new();
    for entry in entries.iter().filter(|entry| entry.categories.len() == 1) {
        by_source_type
            .entry(entry.source_type.clone())
            .or_default()
            .extend(entry.categories.iter().cloned());
    }
    for entry in entries.iter().filter(|entry| entry.categories.len() > 1) {
        let categories = by_source_type.entry(entry.source_type.clone()).or_default();
        if !entry
            .categories
            .iter()
            .any(|category| categories.contains(category))
        {
            categories.insert(entry.categories[0].clone());
        }
    }
    by_source_type
        .into_iter()
        .map(|(source_type, categories)| EventSubscription {
            source_type,
            categories: categories.into_iter().collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::{BACKUP_NOTIFIER, Clause, FAILOVER_REACTOR, ROUTES};

    #[test]
    fn route_policies_fit_sns_limits() {
        for route in ROUTES {
            let policy = sns_filter_policy(&route.selector)
                .unwrap_or_else(|err| panic!("{}: {err}", route.name));
            assert_eq!(check_sns_limits(&policy), Ok(()));
        }
    }

    #[test]
    fn backup_policy_lists_types_and_suffixes() {
        let policy = sns_filter_policy(&BACKUP_NOTIFIER.selector).expect("valid");
        assert_eq!(
            policy["Event Source"],
            json!([
                "db-instance",
                "db-cluster",
                "db-snapshot",
                "db-cluster-snapshot"
            ])
        );
        let ids = policy["Event ID"].as_array().expect("array");
        assert!(ids.contains(&json!({ "suffix": "RDS-EVENT-0002" })));
        assert!(ids.contains(&json!({ "suffix": "RDS-EVENT-0169" })));
        assert!(!ids.contains(&json!({ "suffix": "RDS-EVENT-0049" })));
    }

    #[test]
    fn extras_are_cross_pairs_only() {
        for route in ROUTES {
            for entry in sns_policy_extras(&route.selector) {
                assert!(!route.selector.matches(
                    &entry.source_type,
                    entry.event_id,
                    entry.categories
                ));
                let ids = all_event_ids(&route.selector);
                assert!(ids.contains(&entry.event_id));
            }
        }
    }

    #[test]
    fn admits_taken_events_and_extras_only() {
        for route in ROUTES {
            let selector = &route.selector;
            for entry in selector
                .catalogue_events()
                .into_iter()
                .chain(sns_policy_extras(selector))
            {
                assert!(
                    sns_policy_admits(selector, &entry.source_type, entry.event_id),
                    "{}: {} {}",
                    route.name,
                    entry.source_type,
                    entry.event_id
                );
            }
        }
        let selector = &BACKUP_NOTIFIER.selector;
        assert!(!sns_policy_admits(
            selector,
            &SourceType::DbInstance,
            EventId::new(49)
        ));
        assert!(!sns_policy_admits(
            selector,
            &SourceType::DbProxy,
            EventId::new(2)
        ));
        assert!(sns_policy_admits(
            selector,
            &SourceType::DbCluster,
            EventId::new(2)
        ));
    }

    #[test]
    fn oversized_selector_is_rejected() {
        static WIDE: Selector = Selector {
            clauses: &[
                Clause {
                    source_type: SourceType::DbInstance,
                    categories: &[Category::Notification, Category::Maintenance],
                    event_ids: &[],
                },
                Clause {
                    source_type: SourceType::DbCluster,
                    categories: &[Category::Notification],
                    event_ids: &[],
                },
            ],
        };
        let error = sns_filter_policy(&WIDE).expect_err("too many combinations");
        assert!(
            matches!(
                error,
                PolicyError::TooManyCombinations {
                    source_types: 2,
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn eventbridge_pattern_is_exact_per_source_type() {
        let pattern = eventbridge_pattern(&FAILOVER_REACTOR.selector);
        assert_eq!(pattern["source"], json!(["aws.rds"]));
        let alternatives = pattern["detail"]["$or"]
            .as_array()
            .expect("one alternative per clause");
        assert_eq!(alternatives.len(), 3);
        assert_eq!(alternatives[0]["SourceType"], json!(["DB_INSTANCE"]));
        assert!(
            alternatives[0]["EventID"]
                .as_array()
                .expect("ids")
                .contains(&json!("RDS-EVENT-0049"))
        );
        assert_eq!(
            alternatives[2].get("SourceType"),
            None,
            "blue/green has no documented EventBridge name"
        );
    }

    #[test]
    fn subscriptions_cover_every_routed_event() {
        let subscriptions = event_subscriptions(&ROUTES);
        for route in ROUTES {
            for entry in route.selector.catalogue_events() {
                let subscription = subscriptions
                    .iter()
                    .find(|s| s.source_type == entry.source_type)
                    .unwrap_or_else(|| panic!("no subscription for {}", entry.source_type));
                assert!(
                    entry
                        .categories
                        .iter()
                        .any(|c| subscription.categories.contains(c))
                );
            }
        }
        let instance = subscriptions
            .iter()
            .find(|s| s.source_type == SourceType::DbInstance)
            .expect("instance");
        assert!(instance.categories.contains(&Category::Backup));
        assert!(instance.categories.contains(&Category::Failover));
    }
}
