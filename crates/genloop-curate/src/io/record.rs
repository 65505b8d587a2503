//! One JSONL record. For `genloop curate`: its text field (and `id`, to name kept
//! duplicates) read without building the whole object, and the `curation` field
//! spliced into the original line so that every field of a dropped record survives, in
//! its order and spelling. For a corpus: the text and the other fields (metadata).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::problem::{json_kind, RecordProblem};

/// The fields of one record the pipeline reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    pub text: String,
    /// The `id` field when it is a string or a number (named in duplicate reports).
    pub id: Option<Value>,
    /// Whether the record already has a `curation` field (replaced in rejects).
    pub has_curation: bool,
}

/// Read the text field of one JSONL line.
pub fn parse_record(line: &str, text_field: &str) -> Result<Fields, RecordProblem> {
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let parsed = (&mut deserializer)
        .deserialize_map(RecordVisitor { text_field })
        .and_then(|fields| deserializer.end().map(|()| fields));
    let found = match parsed {
        Ok(found) => found,
        // Second pass only on the error path, to say what the line holds instead.
        Err(error) => {
            return Err(match serde_json::from_str::<Value>(line) {
                Ok(value) if !value.is_object() => RecordProblem::NotAnObject {
                    found: json_kind(&value),
                },
                _ => RecordProblem::MalformedJson {
                    message: error.to_string(),
                },
            })
        }
    };
    let text = match found.text {
        Some(Value::String(text)) => text,
        Some(other) => {
            return Err(RecordProblem::NotAString {
                field: text_field.to_string(),
                found: json_kind(&other),
            })
        }
        None => {
            let fields = match serde_json::from_str::<Value>(line) {
                Ok(Value::Object(object)) => object.keys().cloned().collect(),
                _ => Vec::new(),
            };
            return Err(RecordProblem::MissingField {
                field: text_field.to_string(),
                fields,
            });
        }
    };
    let id = found
        .id
        .filter(|id| matches!(id, Value::String(_) | Value::Number(_)));
    Ok(Fields {
        text,
        id,
        has_curation: found.has_curation,
    })
}

/// `line` (a JSON object) with `"curation": curation` (serialised JSON) added as its
/// last field.
pub fn with_curation(line: &str, fields: &Fields, curation: &str) -> String {
    let trimmed = line.trim_end();
    if fields.has_curation {
        // Rare: replace the old field, at the cost of reordering the keys.
        let mut object: serde_json::Map<String, Value> =
            serde_json::from_str(trimmed).unwrap_or_default();
        let curation = serde_json::from_str(curation).unwrap_or(Value::Null);
        object.insert("curation".to_string(), curation);
        return Value::Object(object).to_string();
    }
    // The line parsed as an object with at least the text field, so it ends in '}'.
    let body = trimmed.strip_suffix('}').unwrap_or(trimmed);
    format!("{body},\"curation\":{curation}}}")
}

/// The text field and the other fields (the metadata) of one JSONL line.
pub fn parse_document(
    line: &str,
    field: &str,
) -> Result<(String, Map<String, Value>), RecordProblem> {
    let value: Value = serde_json::from_str(line).map_err(|e| RecordProblem::MalformedJson {
        message: e.to_string(),
    })?;
    let mut object = match value {
        Value::Object(object) => object,
        other => {
            return Err(RecordProblem::NotAnObject {
                found: json_kind(&other),
            })
        }
    };
    match object.remove(field) {
        Some(Value::String(text)) => Ok((text, object)),
        Some(other) => Err(RecordProblem::NotAString {
            field: field.to_owned(),
            found: json_kind(&other),
        }),
        None => Err(RecordProblem::MissingField {
            field: field.to_owned(),
            fields: object.keys().cloned().collect(),
        }),
    }
}

#[derive(Default)]
struct Found {
    text: Option<Value>,
    id: Option<Value>,
    has_curation: bool,
}

struct RecordVisitor<'f> {
    text_field: &'f str,
}

impl<'de> Visitor<'de> for RecordVisitor<'_> {
    type Value = Found;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut found = Found::default();
        while let Some(key) = map.next_key_seed(KeySeed {
            text_field: self.text_field,
        })? {
            match key {
                Key::Text => found.text = Some(map.next_value()?),
                Key::Id => found.id = Some(map.next_value()?),
                Key::Curation => {
                    found.has_curation = true;
                    map.next_value::<IgnoredAny>()?;
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

enum Key {
    Text,
    Id,
    Curation,
    Other,
}

/// Classifies a key without allocating it.
struct KeySeed<'f> {
    text_field: &'f str,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(if key == self.text_field {
            Key::Text
        } else if key == "id" {
            Key::Id
        } else if key == "curation" {
            Key::Curation
        } else {
            Key::Other
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_text_field_and_id_and_reports_problems() {
        let fields = parse_record(r#"{"id": 7, "body": "a\nb", "x": [1, {"y": 2}]}"#, "body")
            .expect("valid");
        assert_eq!(fields.text, "a\nb");
        assert_eq!(fields.id, Some(Value::from(7)));
        let missing = parse_record(r#"{"id": 7, "title": "t"}"#, "text").unwrap_err();
        assert_eq!(
            missing.to_string(),
            "no field `text` (fields: id, title); choose the text field with --text-field"
        );
        let number = parse_record(r#"{"text": 3}"#, "text").unwrap_err();
        assert_eq!(number.to_string(), "field `text` is a number, not a string");
        let array = parse_record("[1, 2]", "text").unwrap_err();
        assert_eq!(array.to_string(), "expected a JSON object, found an array");
        let broken = parse_record(r#"{"text": "unterminated}"#, "text").unwrap_err();
        assert!(
            matches!(broken, RecordProblem::MalformedJson { .. }),
            "{broken}"
        );
        let trailing = parse_record(r#"{"text": "a"} x"#, "text").unwrap_err();
        assert!(
            matches!(trailing, RecordProblem::MalformedJson { .. }),
            "{trailing}"
        );
    }

    #[test]
    fn curation_is_appended_without_touching_other_fields() {
        let line = r#"{"z": 1, "text": "é \"q\"", "a": null}  "#;
        let fields = parse_record(line, "text").unwrap();
        let curation = r#"{"filter":"c4"}"#;
        let out = with_curation(line, &fields, curation);
        assert_eq!(
            out,
            r#"{"z": 1, "text": "é \"q\"", "a": null,"curation":{"filter":"c4"}}"#
        );
        let old = r#"{"text": "t", "curation": "old"}"#;
        let fields = parse_record(old, "text").unwrap();
        let replaced: Value = serde_json::from_str(&with_curation(old, &fields, curation)).unwrap();
        assert_eq!(replaced["curation"], serde_json::json!({"filter": "c4"}));
    }
}
