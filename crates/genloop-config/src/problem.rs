//! What goes wrong in a config: a [`Problem`] names the key, the offending value and
//! the fix; a [`ConfigError`] is what loading a file returns. [`Checker`] collects
//! the problems of every section so a config with several mistakes reports them all
//! at once.

use std::fmt;
use std::ops::RangeInclusive;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::Serialize;

/// One problem in a config: the key, the offending value and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub key: String,
    pub value: String,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.key)?;
        if !self.value.is_empty() {
            write!(f, " = {}", self.value)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.fix.is_empty() {
            write!(f, "; {}", self.fix)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n  "))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

/// The largest count any key takes (2⁴⁰, about 1.1e12): beyond it every size is
/// more than a machine holds. Keys whose values multiply into allocations have
/// tighter limits, and the sizes together are checked against the machine's memory
/// (`crate::memory`, in f64 so that no product overflows).
pub const MAX_COUNT: i64 = 1 << 40;

/// Collects problems while checking values.
#[derive(Default)]
pub(crate) struct Checker {
    pub(crate) problems: Vec<Problem>,
}

impl Checker {
    pub(crate) fn problem(
        &mut self,
        key: &str,
        value: impl fmt::Display,
        message: &str,
        fix: &str,
    ) {
        self.problems.push(Problem {
            key: key.to_string(),
            value: value.to_string(),
            message: message.to_string(),
            fix: fix.to_string(),
        });
    }

    pub(crate) fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// A count: `value`, else `default`; a missing count without default, or one
    /// below `min` or above [`MAX_COUNT`], is a problem (and 0).
    pub(crate) fn count(
        &mut self,
        key: &str,
        value: Option<i64>,
        default: Option<i64>,
        min: i64,
        example: &str,
    ) -> usize {
        self.count_within(key, value, default, min..=MAX_COUNT, example)
    }

    /// A count within `range` (its end at most [`MAX_COUNT`]); otherwise as
    /// [`Checker::count`].
    pub(crate) fn count_within(
        &mut self,
        key: &str,
        value: Option<i64>,
        default: Option<i64>,
        range: RangeInclusive<i64>,
        example: &str,
    ) -> usize {
        let (min, max) = (*range.start(), (*range.end()).min(MAX_COUNT));
        match value.or(default) {
            None => {
                self.problem(key, "", "is required", &format!("add e.g. {example}"));
                0
            }
            Some(v) if v < min => {
                let message = if min == 0 {
                    "must not be negative".to_string()
                } else {
                    format!("must be at least {min}")
                };
                self.problem(key, v, &message, &format!("e.g. {example}"));
                0
            }
            Some(v) if v > max => {
                let message = format!("must be at most {max}");
                self.problem(key, v, &message, &format!("e.g. {example}"));
                0
            }
            Some(v) => v as usize,
        }
    }

    /// A count with a default, its example the default (`bootstrap = 1000`).
    pub(crate) fn count_or(
        &mut self,
        key: &str,
        value: Option<i64>,
        default: i64,
        min: i64,
    ) -> usize {
        let example = format!("{} = {default}", field(key));
        self.count(key, value, Some(default), min, &example)
    }

    /// A positive number with a default, its example the default (`noise_std = 1.0`).
    pub(crate) fn positive_or(&mut self, key: &str, value: Option<f64>, default: f64) -> f64 {
        let example = format!("{} = {default:?}", field(key));
        self.positive(key, value.unwrap_or(default), &example)
    }

    pub(crate) fn positive(&mut self, key: &str, value: f64, example: &str) -> f64 {
        if !(value.is_finite() && value > 0.0) {
            self.problem(
                key,
                value,
                "must be a positive number",
                &format!("e.g. {example}"),
            );
        }
        value
    }

    pub(crate) fn fraction(&mut self, key: &str, value: f64, example: &str) -> f64 {
        if !(0.0..=1.0).contains(&value) {
            self.problem(
                key,
                value,
                "must be a fraction within [0, 1]",
                &format!("e.g. {example}"),
            );
        }
        value
    }

    /// Keys set in `raw` (a table of one `kind`) that the kind does not take. The
    /// first field of a raw table's struct is its tag (`kind`, `schedule`).
    pub(crate) fn only<T>(&mut self, table: &str, kind: &str, raw: &T, allowed: &[&str])
    where
        T: Serialize + for<'de> Deserialize<'de>,
    {
        for key in given_keys(raw).into_iter().skip(1) {
            if !allowed.contains(&key) {
                self.problem(
                    &format!("{table}.{key}"),
                    "",
                    &format!("does not apply to {table} kind `{kind}`"),
                    &if allowed.is_empty() {
                        "remove it".to_string()
                    } else {
                        format!("remove it; `{kind}` takes: {}", allowed.join(", "))
                    },
                );
            }
        }
    }

    pub(crate) fn choice<'a>(
        &mut self,
        key: &str,
        value: &str,
        options: &[&'a str],
    ) -> Option<&'a str> {
        let found = options.iter().find(|o| **o == value).copied();
        if found.is_none() {
            self.problem(
                key,
                format!("\"{value}\""),
                "is not a known option",
                &format!("use one of: {}", options.join(", ")),
            );
        }
        found
    }
}

/// The last part of a dotted key (`source.dim` → `dim`).
fn field(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// The keys set in a raw table, in the order its struct declares them.
fn given_keys<T>(raw: &T) -> Vec<&'static str>
where
    T: Serialize + for<'de> Deserialize<'de>,
{
    // Unset (`None`) keys are not serialised.
    let set = toml::Table::try_from(raw).unwrap_or_default();
    field_names::<T>()
        .iter()
        .copied()
        .filter(|key| set.contains_key(*key))
        .collect()
}

/// The field names a struct deserialises, in declaration order (serde hands them to
/// the deserializer, which here reports them instead of reading anything).
fn field_names<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    match T::deserialize(FieldProbe) {
        Err(Fields(fields)) => fields,
        Ok(_) => &[],
    }
}

struct FieldProbe;

#[derive(Debug)]
struct Fields(&'static [&'static str]);

impl fmt::Display for Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fields {:?}", self.0)
    }
}

impl std::error::Error for Fields {}

impl de::Error for Fields {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Fields(&[])
    }
}

impl<'de> Deserializer<'de> for FieldProbe {
    type Error = Fields;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Fields> {
        Err(Fields(&[]))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Fields> {
        Err(Fields(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
        enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regime::RawRegime;

    #[test]
    fn given_keys_are_the_set_ones_in_declaration_order() {
        let raw = RawRegime {
            kind: "replace".into(),
            fraction: Some(0.5),
            samples: Some(3),
            ..RawRegime::default()
        };
        assert_eq!(given_keys(&raw), ["kind", "samples", "fraction"]);
    }

    #[test]
    fn defaults_are_the_examples() {
        let mut c = Checker::default();
        assert_eq!(c.count_or("output.bootstrap", None, 1000, 0), 1000);
        c.count_or("output.bootstrap", Some(-1), 1000, 0);
        c.positive_or("source.noise_std", Some(-1.0), 1.0);
        let fixes: Vec<&str> = c.problems.iter().map(|p| p.fix.as_str()).collect();
        assert_eq!(fixes, ["e.g. bootstrap = 1000", "e.g. noise_std = 1.0"]);
    }
}
