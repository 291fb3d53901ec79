//! Finding, rewriting and checking the generated blocks of a template.
//!
//! A block is every line between `# BEGIN GENERATED <name>` and `# END GENERATED <name>`.
//! The marker lines stay as they are and the lines between them are replaced, with the entries
//! indented like the BEGIN line.

use std::collections::BTreeSet;
use std::ops::Range;

use similar::TextDiff;

use crate::blocks::Block;

const BEGIN: &str = "# BEGIN GENERATED";
const END: &str = "# END GENERATED";

/// A template whose marker lines do not match the generated blocks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A marker line without a valid block name.
    #[error(
        "line {line}: invalid marker {text:?}; expected `{BEGIN} <name>` or `{END} <name>` \
         with a name of lower-case letters, digits and hyphens"
    )]
    InvalidMarker {
        /// The 1-based line number.
        line: usize,
        /// The line's text, trimmed.
        text: String,
    },
    /// A block that begins before the previous one ends.
    #[error("line {line}: block {name} begins inside block {outer}")]
    NestedBlock {
        /// The 1-based line number.
        line: usize,
        /// The inner block.
        name: String,
        /// The block still open.
        outer: String,
    },
    /// An END line that closes no open block of its name.
    #[error("line {line}: `{END} {name}` has no matching `{BEGIN} {name}` before it")]
    UnmatchedEnd {
        /// The 1-based line number.
        line: usize,
        /// The name on the END line.
        name: String,
    },
    /// A block that is never closed.
    #[error("line {line}: block {name} has no `{END} {name}` line")]
    UnclosedBlock {
        /// The 1-based line number of its BEGIN line.
        line: usize,
        /// The block.
        name: String,
    },
    /// A block that appears twice.
    #[error("line {line}: block {name} appears a second time")]
    DuplicateBlock {
        /// The 1-based line number of the second BEGIN line.
        line: usize,
        /// The block.
        name: String,
    },
    /// A block that no route produces.
    #[error(
        "line {line}: block {name} is not produced from the routes; remove it, or add the \
         route it belongs to"
    )]
    UnknownBlock {
        /// The 1-based line number of its BEGIN line.
        line: usize,
        /// The block.
        name: String,
    },
    /// A block that the routes produce but the template lacks.
    #[error("block {name} is missing: add `{BEGIN} {name}` and `{END} {name}` lines {location}")]
    MissingBlock {
        /// The block.
        name: String,
        /// The place it belongs in.
        location: String,
    },
}

/// A generated block whose committed text differs from what the routes produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleBlock {
    /// The block's name.
    pub name: String,
    /// The 1-based line number of its BEGIN line.
    pub line: usize,
    /// A unified diff from the committed lines to the generated ones.
    pub diff: String,
}

/// A block's place in the template.
#[derive(Debug)]
struct Span {
    name: String,
    /// The 0-based index of the BEGIN line.
    begin: usize,
    /// The lines strictly between the markers, as indices.
    body: Range<usize>,
    /// The number of spaces before the BEGIN marker.
    indent: usize,
}

/// Returns the marker's block name when the trimmed line starts with `marker`.
fn marker_name<'a>(
    trimmed: &'a str,
    marker: &str,
    line: usize,
) -> Result<Option<&'a str>, TemplateError> {
    let Some(rest) = trimmed.strip_prefix(marker) else {
        return Ok(None);
    };
    let name = rest.trim();
    let valid = rest.starts_with(' ')
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(Some(name))
    } else {
        Err(TemplateError::InvalidMarker {
            line,
            text: trimmed.to_owned(),
        })
    }
}

fn find_spans(lines: &[&str]) -> Result<Vec<Span>, TemplateError> {
    let mut spans = Vec::new();
    let mut open: Option<(String, usize, usize)> = None;
    for (index, text) in lines.iter().enumerate() {
        let line = index + 1;
        let trimmed = text.trim();
        if let Some(name) = marker_name(trimmed, BEGIN, line)? {
            if let Some((outer, _, _)) = open {
                return Err(TemplateError::NestedBlock {
                    line,
                    name: name.to_owned(),
                    outer,
                });
            }
            let indent = text.len() - text.trim_start_matches(' ').len();
            open = Some((name.to_owned(), index, indent));
        } else if let Some(name) = marker_name(trimmed, END, line)? {
            match open.take() {
                Some((open_name, begin, indent)) if open_name == name => spans.push(Span {
                    name: open_name,
                    begin,
                    body: begin + 1..index,
                    indent,
                }),
                _ => {
                    return Err(TemplateError::UnmatchedEnd {
                        line,
                        name: name.to_owned(),
                    });
                }
            }
        }
    }
    if let Some((name, begin, _)) = open {
        return Err(TemplateError::UnclosedBlock {
            line: begin + 1,
            name,
        });
    }
    Ok(spans)
}

/// Pairs every span with its generated block, and checks that each block appears exactly
/// once.
fn match_blocks<'a>(
    spans: &'a [Span],
    blocks: &'a [Block],
) -> Result<Vec<(&'a Span, &'a Block)>, TemplateError> {
    let mut seen = BTreeSet::new();
    let mut pairs = Vec::new();
    for span in spans {
        let line = span.begin + 1;
        if !seen.insert(span.name.as_str()) {
            return Err(TemplateError::DuplicateBlock {
                line,
                name: span.name.clone(),
            });
        }
        let Some(block) = blocks.iter().find(|block| block.name == span.name) else {
            return Err(TemplateError::UnknownBlock {
                line,
                name: span.name.clone(),
            });
        };
        pairs.push((span, block));
    }
    if let Some(block) = blocks
        .iter()
        .find(|block| !seen.contains(block.name.as_str()))
    {
        return Err(TemplateError::MissingBlock {
            name: block.name.clone(),
            location: block.location.clone(),
        });
    }
    Ok(pairs)
}

/// Rewrites every generated block of the template from `blocks`, and leaves all other lines
/// as they are.
///
/// # Errors
/// Returns an error when the marker lines are malformed, or when the template's blocks and
/// the generated ones differ in name.
pub fn regenerate(template: &str, blocks: &[Block]) -> Result<String, TemplateError> {
    let lines: Vec<&str> = template.split_inclusive('\n').collect();
    let spans = find_spans(&lines)?;
    let pairs = match_blocks(&spans, blocks)?;
    let mut out = String::with_capacity(template.len());
    let mut next = 0;
    for (span, block) in pairs {
        out.extend(lines[next..span.body.start].iter().copied());
        out.push_str(&block.render(span.indent));
        next = span.body.end;
    }
    out.extend(lines[next..].iter().copied());
    Ok(out)
}

/// Returns the generated blocks whose committed text differs from `blocks`, with a diff
/// each. An empty list means the template is up to date.
///
/// # Errors
/// As [`regenerate`].
pub fn stale_blocks(template: &str, blocks: &[Block]) -> Result<Vec<StaleBlock>, TemplateError> {
    let lines: Vec<&str> = template.split_inclusive('\n').collect();
    let spans = find_spans(&lines)?;
    let pairs = match_blocks(&spans, blocks)?;
    let mut stale = Vec::new();
    for (span, block) in pairs {
        let committed: String = lines[span.body.clone()].concat();
        let generated = block.render(span.indent);
        if committed != generated {
            let diff = TextDiff::from_lines(&committed, &generated)
                .unified_diff()
                .context_radius(2)
                .header(
                    &format!("{} (committed)", span.name),
                    &format!("{} (from the routes)", span.name),
                )
                .to_string();
            stale.push(StaleBlock {
                name: span.name.clone(),
                line: span.begin + 1,
                diff,
            });
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::blocks::Node;

    fn block(name: &str, value: serde_json::Value) -> Block {
        Block {
            name: name.to_owned(),
            location: "under Resources".to_owned(),
            entries: vec![("Key".to_owned(), Node::Value(value))],
        }
    }

    const TEMPLATE: &str = "\
Resources:
  # BEGIN GENERATED one
  Key: \"old\"
  # END GENERATED one
  Other: 1
    # BEGIN GENERATED two
    # END GENERATED two
";

    #[test]
    fn regenerate_replaces_bodies_only() {
        let blocks = [block("one", json!("new")), block("two", json!([1, 2]))];
        let text = regenerate(TEMPLATE, &blocks).expect("valid template");
        assert_eq!(
            text,
            "\
Resources:
  # BEGIN GENERATED one
  Key: \"new\"
  # END GENERATED one
  Other: 1
    # BEGIN GENERATED two
    Key: [1, 2]
    # END GENERATED two
"
        );
        assert_eq!(stale_blocks(&text, &blocks), Ok(Vec::new()));
    }

    #[test]
    fn stale_block_is_named_with_diff() {
        let blocks = [block("one", json!("new")), block("two", json!([]))];
        let stale = stale_blocks(TEMPLATE, &blocks).expect("valid template");
        let names: Vec<&str> = stale.iter().map(|block| block.name.as_str()).collect();
        assert_eq!(names, ["one", "two"]);
        assert_eq!(stale[0].line, 2);
        assert!(
            stale[0].diff.contains("-  Key: \"old\"\n"),
            "{}",
            stale[0].diff
        );
        assert!(
            stale[0].diff.contains("+  Key: \"new\"\n"),
            "{}",
            stale[0].diff
        );
    }

    #[test]
    fn missing_and_unknown_blocks_are_rejected() {
        let blocks = [
            block("one", json!(1)),
            block("two", json!(2)),
            block("three", json!(3)),
        ];
        assert_eq!(
            regenerate(TEMPLATE, &blocks),
            Err(TemplateError::MissingBlock {
                name: "three".to_owned(),
                location: "under Resources".to_owned(),
            })
        );
        let blocks = [block("one", json!(1))];
        assert_eq!(
            regenerate(TEMPLATE, &blocks),
            Err(TemplateError::UnknownBlock {
                line: 6,
                name: "two".to_owned(),
            })
        );
    }

    #[test]
    fn malformed_markers_are_rejected() {
        let cases = [
            (
                "# BEGIN GENERATED a\n# BEGIN GENERATED b\n",
                "begins inside block a",
            ),
            ("# END GENERATED a\n", "has no matching"),
            ("# BEGIN GENERATED a\n", "has no `# END GENERATED a` line"),
            ("# BEGIN GENERATED Bad_Name\n", "invalid marker"),
            ("# BEGIN GENERATEDa\n", "invalid marker"),
            (
                "# BEGIN GENERATED a\n# END GENERATED a\n# BEGIN GENERATED a\n# END GENERATED a\n",
                "appears a second time",
            ),
        ];
        let blocks = [block("a", json!(1))];
        for (template, expected) in cases {
            let error = regenerate(template, &blocks).expect_err(template);
            assert!(
                error.to_string().contains(expected),
                "{template:?}: {error}"
            );
        }
    }
}
