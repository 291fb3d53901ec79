//! JSON written as YAML flow collections.
//!
//! JSON is valid YAML, so a generated value needs no YAML writer: serde_json quotes every
//! string and key, and this module only chooses where lines break.

use serde_json::Value;

/// The maximum width of a generated line, in characters, unless a single string is longer.
pub const WIDTH: usize = 100;

/// Formats a value on one line, with a space after each comma and colon.
pub fn compact(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(key, member)| {
                    format!(
                        "{}: {}",
                        scalar(&Value::from(key.as_str())),
                        compact(member)
                    )
                })
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        scalar_value => scalar(scalar_value),
    }
}

/// Formats a value that starts at column `start` of a line and whose closing bracket, if it
/// needs lines of its own, goes at column `indent`.
///
/// A value that fits in [`WIDTH`] stays on one line. A longer array of short items is filled
/// line by line, and any other long array or object gets one member per line. Continuation
/// lines are indented by `indent + 2` columns, so with `indent` deeper than the mapping key
/// the value belongs to, the result is a valid YAML flow collection in block context.
pub fn format(value: &Value, start: usize, indent: usize) -> String {
    let mut out = String::new();
    write(&mut out, value, start, indent);
    out
}

fn write(out: &mut String, value: &Value, start: usize, indent: usize) {
    let one_line = compact(value);
    // One column is kept free for the comma that may follow the value.
    if start + one_line.len() < WIDTH {
        out.push_str(&one_line);
        return;
    }
    let inner = indent + 2;
    match value {
        Value::Array(items) => {
            let texts: Vec<String> = items.iter().map(compact).collect();
            out.push('[');
            if texts.iter().all(|text| inner + text.len() < WIDTH) {
                fill(out, &texts, inner);
            } else {
                for (index, item) in items.iter().enumerate() {
                    newline(out, inner);
                    write(out, item, inner, inner);
                    if index + 1 < items.len() {
                        out.push(',');
                    }
                }
            }
            newline(out, indent);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (index, (key, member)) in map.iter().enumerate() {
                newline(out, inner);
                let key = scalar(&Value::from(key.as_str()));
                out.push_str(&key);
                out.push_str(": ");
                write(out, member, inner + key.len() + 2, inner);
                if index + 1 < map.len() {
                    out.push(',');
                }
            }
            newline(out, indent);
            out.push('}');
        }
        // A string longer than the width stays whole: YAML flow scalars may not be split
        // without changing their value.
        _ => out.push_str(&one_line),
    }
}

/// Writes items separated by ", ", starting a new line at column `inner` whenever the next
/// item would pass the width.
fn fill(out: &mut String, texts: &[String], inner: usize) {
    let mut line = String::new();
    for (index, text) in texts.iter().enumerate() {
        let comma = if index + 1 < texts.len() { "," } else { "" };
        if !line.is_empty() && inner + line.len() + 1 + text.len() + comma.len() > WIDTH {
            newline(out, inner);
            out.push_str(&line);
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(text);
        line.push_str(comma);
    }
    if !line.is_empty() {
        newline(out, inner);
        out.push_str(&line);
    }
}

fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

fn scalar(value: &Value) -> String {
    // Serializing a `Value` cannot fail: its map keys are always strings.
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn short_value_stays_on_one_line() {
        let value = json!({"Ref": "RdsEventsTopic", "list": [1, "a\"b"]});
        assert_eq!(
            format(&value, 10, 4),
            r#"{"Ref": "RdsEventsTopic", "list": [1, "a\"b"]}"#
        );
    }

    #[test]
    fn long_array_of_short_items_is_filled() {
        let ids: Vec<String> = (1..=30).map(|n| format!("RDS-EVENT-{n:04}")).collect();
        let text = format(&json!(ids), 20, 4);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "[");
        assert_eq!(lines.last().copied(), Some("    ]"));
        assert!(lines[1].starts_with(r#"      "RDS-EVENT-0001", "RDS-EVENT-0002","#));
        for line in &lines {
            assert!(line.len() <= WIDTH, "{line:?} is {} wide", line.len());
        }
        let round_trip: Value = serde_json::from_str(&text).expect("output is JSON");
        assert_eq!(round_trip, json!(ids));
    }

    #[test]
    fn long_object_gets_one_member_per_line() {
        let ids: Vec<String> = (1..=30).map(|n| format!("RDS-EVENT-{n:04}")).collect();
        let value = json!({"EventID": ids, "SourceType": ["DB_INSTANCE"]});
        let text = format(&value, 20, 6);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "{");
        assert!(lines[1].starts_with(r#"        "EventID": ["#));
        assert_eq!(lines.last().copied(), Some("      }"));
        assert!(text.contains(r#"        "SourceType": ["DB_INSTANCE"]"#));
        let round_trip: Value = serde_json::from_str(&text).expect("output is JSON");
        assert_eq!(round_trip, value);
    }

    #[test]
    fn string_longer_than_width_stays_whole() {
        let long = "x".repeat(WIDTH + 10);
        assert_eq!(format(&json!(long), 0, 0), format!("\"{long}\""));
    }
}
