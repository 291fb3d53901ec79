//! The tags of the disaster-recovery copies: the source's tags less reserved ones, and this
//! function's own, which mark the copy and name its source for retention.

use aws_sdk_rds::types::Tag;

/// The tag key that marks a copy made by this function.
pub const COPIED_BY_KEY: &str = "rds-event-lambdas:copied-by";
/// The value of [`COPIED_BY_KEY`].
pub const COPIED_BY_VALUE: &str = "backup-notifier";
/// The tag key whose value is the ARN of the copy's source snapshot.
pub const SOURCE_ARN_KEY: &str = "rds-event-lambdas:source-arn";

/// RDS's limit of tags on one resource.
const MAX_TAGS: usize = 50;
/// RDS's limit on the length of a tag value, in characters.
const MAX_TAG_VALUE_CHARS: usize = 256;

/// The tags a copy gets: the source's, less reserved ones, plus this function's two.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TagPlan {
    /// The tags the copy request carries.
    pub(crate) tags: Vec<Tag>,
    /// Source tag keys not copied: reserved `aws:` keys, and those past RDS's limit of 50.
    pub(crate) left_out: Vec<String>,
}

impl TagPlan {
    /// Plans the tags of the copy of a snapshot with these tags.
    pub(crate) fn new(source_tags: &[(String, String)], source_arn: &str) -> TagPlan {
        let own = [
            (COPIED_BY_KEY, COPIED_BY_VALUE.to_owned()),
            (SOURCE_ARN_KEY, source_arn_tag_value(source_arn)),
        ];
        let mut tags = Vec::new();
        let mut left_out = Vec::new();
        for (key, value) in source_tags {
            // AWS reserves the `aws:` prefix in any case; RDS rejects such keys on a request.
            let reserved = key.to_ascii_lowercase().starts_with("aws:");
            let own_key = own.iter().any(|(own_key, _)| own_key == key);
            if own_key {
                continue;
            }
            if reserved || tags.len() >= MAX_TAGS - own.len() {
                left_out.push(key.clone());
                continue;
            }
            tags.push(Tag::builder().key(key).value(value).build());
        }
        for (key, value) in own {
            tags.push(Tag::builder().key(key).value(value).build());
        }
        TagPlan { tags, left_out }
    }
}

/// Returns the value of the source-ARN tag: the ARN, cut to RDS's 256-character limit on
/// tag values.
///
/// NOTE: an ARN longer than 256 characters (a snapshot identifier near the 255-character
/// maximum) is cut, so two such sources that differ only past the cut share a tag value.
/// Retention compares only the ARN's partition, Region, account and resource type, which
/// come first and are never cut.
pub(crate) fn source_arn_tag_value(source_arn: &str) -> String {
    source_arn.chars().take(MAX_TAG_VALUE_CHARS).collect()
}

/// Returns the `index`th colon-separated part of an ARN (3 is the Region).
pub(crate) fn arn_part(arn: &str, index: usize) -> Option<&str> {
    arn.splitn(7, ':').nth(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE_ARN: &str = "arn:aws:rds:us-east-1:123456789012:snapshot:orders-db-before-upgrade";

    fn pairs(tags: &[(&str, &str)]) -> Vec<(String, String)> {
        tags.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn keys(plan: &TagPlan) -> Vec<&str> {
        plan.tags.iter().filter_map(Tag::key).collect()
    }

    #[test]
    fn tag_plan_drops_reserved_and_adds_own() {
        let plan = TagPlan::new(
            &pairs(&[
                ("team", "orders"),
                ("aws:backup:source-resource", "x"),
                ("AWS:x", "y"),
            ]),
            SOURCE_ARN,
        );
        assert_eq!(keys(&plan), ["team", COPIED_BY_KEY, SOURCE_ARN_KEY]);
        assert_eq!(plan.left_out, ["aws:backup:source-resource", "AWS:x"]);
        assert_eq!(plan.tags[2].value(), Some(SOURCE_ARN));
    }

    #[test]
    fn tag_plan_keeps_within_fifty() {
        let many: Vec<(String, String)> =
            (0..60).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        let plan = TagPlan::new(&many, SOURCE_ARN);
        assert_eq!(plan.tags.len(), MAX_TAGS);
        assert_eq!(plan.left_out.len(), 12);
        assert_eq!(plan.left_out[0], "k48");
    }

    #[test]
    fn tag_plan_overrides_own_keys() {
        let plan = TagPlan::new(&pairs(&[(SOURCE_ARN_KEY, "stale")]), SOURCE_ARN);
        assert_eq!(keys(&plan), [COPIED_BY_KEY, SOURCE_ARN_KEY]);
        assert!(plan.left_out.is_empty());
    }

    #[test]
    fn long_arn_tag_value_is_cut() {
        let arn = format!("{SOURCE_ARN}{}", "x".repeat(300));
        assert_eq!(source_arn_tag_value(&arn).chars().count(), 256);
        assert_eq!(source_arn_tag_value(SOURCE_ARN), SOURCE_ARN);
    }

    #[test]
    fn arn_part_finds_region() {
        assert_eq!(arn_part(SOURCE_ARN, 3), Some("us-east-1"));
        assert_eq!(
            arn_part(
                "arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-db-2026-12-04-03-14",
                6
            ),
            Some("rds:orders-db-2026-12-04-03-14")
        );
    }
}
