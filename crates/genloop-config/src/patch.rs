//! Dotted-key patching of a config as written, before it is checked: what sweeps
//! need. A key names tables by name and arrays of tables by index, from 0, or by the
//! `name` of an entry: `regime.fresh`, `sampling.bias`, `arm.1.regime.kind`,
//! `arm.recipe.regime.fresh`, `filters.0.threshold`. A part with dots in it is quoted
//! as in TOML: `arm."biased-0.8".sampling.bias`.
//!
//! ```
//! let mut table: toml::Table = "[regime]\nkind = \"replace\"\n".parse().unwrap();
//! genloop_config::patch::set_str(&mut table, "regime.fresh", "100").unwrap();
//! assert_eq!(table["regime"]["fresh"].as_integer(), Some(100));
//! ```

use toml::{Table, Value};

/// A dotted key that cannot be set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot set `{key}`: {reason}")]
pub struct PatchError {
    pub key: String,
    pub reason: String,
}

/// Set `key` to `value` given in TOML syntax (`100`, `0.5`, `"accumulate"`,
/// `[1, 2]`); text that is not a TOML value is taken as a string (`accumulate`).
pub fn set_str(table: &mut Table, key: &str, value: &str) -> Result<(), PatchError> {
    set(table, key, parse_value(value))
}

fn parse_value(text: &str) -> Value {
    format!("value = {text}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("value"))
        .unwrap_or_else(|| Value::String(text.to_string()))
}

/// Set `key` to `value`. Tables on the way are created when missing (`sampling.bias`
/// without a `[sampling]` table); list indices must exist; the last part is set,
/// replacing what was there.
pub fn set(table: &mut Table, key: &str, value: Value) -> Result<(), PatchError> {
    let (here, last) = walk(table, key)?;
    here.insert(last, value);
    Ok(())
}

/// The value `key` has in the config as written (the planner's default range end),
/// or `None` where the config does not set it.
pub fn get(table: &Table, key: &str) -> Option<Value> {
    // `walk` creates the tables on the way; a scratch copy keeps `table` as it is.
    let mut scratch = table.clone();
    let (here, last) = walk(&mut scratch, key).ok()?;
    here.remove(&last)
}

/// The table that holds the last part of `key`, and that part.
fn walk<'t>(table: &'t mut Table, key: &str) -> Result<(&'t mut Table, String), PatchError> {
    let fail = |reason: String| PatchError {
        key: key.to_string(),
        reason,
    };
    let parts = split_key(key).map_err(fail)?;
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(fail("every part of a dotted key needs a name".into()));
    }
    let mut here = table;
    let mut i = 0;
    while i + 1 < parts.len() {
        let at = parts[..=i].join(".");
        let (next, used) = descend(here, &parts[i..]).map_err(|r| fail(format!("`{at}` {r}")))?;
        here = next;
        i += used;
    }
    match parts.get(i) {
        Some(last) => Ok((here, last.to_string())),
        None => Err(fail("names a list entry; set one of its keys".into())),
    }
}

/// The parts of a dotted key; a part in double quotes may hold dots.
fn split_key(key: &str) -> Result<Vec<String>, String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in key.chars() {
        match (c, quoted) {
            ('"', _) => quoted = !quoted,
            ('.', false) => parts.push(String::new()),
            (c, _) => parts.last_mut().expect("one part at least").push(c),
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    Ok(parts)
}

/// The table `parts[0]` of `here` (created when missing), or the entry `parts[1]`
/// (an index, or the `name` of an entry) of the list `parts[0]`; with how many parts
/// it took.
fn descend<'t>(here: &'t mut Table, parts: &[&str]) -> Result<(&'t mut Table, usize), String> {
    let indexed = parts.get(1).is_some_and(|p| p.parse::<usize>().is_ok());
    if indexed && !here.contains_key(parts[0]) {
        return Err("does not exist: only lists already in the config can be indexed".into());
    }
    let entry = here
        .entry(parts[0].to_string())
        .or_insert_with(|| Value::Table(Table::new()));
    match entry {
        Value::Table(t) => Ok((t, 1)),
        Value::Array(items) => {
            let next = parts
                .get(1)
                .ok_or("is a list: give an index or a name next (e.g. `arm.0.name`)")?;
            list_entry(items, next).map(|t| (t, 2))
        }
        other => Err(format!("is a {}, not a table", other.type_str())),
    }
}

/// The entry of a list of tables named by its index, or else by its `name` key.
fn list_entry<'t>(items: &'t mut [Value], part: &str) -> Result<&'t mut Table, String> {
    let len = items.len();
    let position = match part.parse::<usize>() {
        Ok(index) => index,
        Err(_) => {
            let names: Vec<&str> = items
                .iter()
                .filter_map(|item| item.get("name").and_then(Value::as_str))
                .collect();
            items
                .iter()
                .position(|item| item.get("name").and_then(Value::as_str) == Some(part))
                .ok_or_else(|| {
                    format!(
                        "is a list: give an index or a name next; no entry is named `{part}` (names: {})",
                        names.join(", ")
                    )
                })?
        }
    };
    match items.get_mut(position) {
        Some(Value::Table(t)) => Ok(t),
        Some(other) => Err(format!(
            "entry {position} is a {}, not a table",
            other.type_str()
        )),
        None => Err(format!("has {len} entries: there is no entry {position}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Table {
        r#"
name = "t"
[regime]
kind = "replace"
[[arm]]
name = "a"
[[arm]]
name = "b"
regime = { kind = "fresh", fresh = 10 }
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn sets_a_key_of_a_table() {
        let mut t = config();
        set_str(&mut t, "regime.fresh", "100").unwrap();
        assert_eq!(t["regime"]["fresh"].as_integer(), Some(100));
        set_str(&mut t, "regime.kind", "\"accumulate\"").unwrap();
        assert_eq!(t["regime"]["kind"].as_str(), Some("accumulate"));
    }

    #[test]
    fn bare_words_are_strings_and_missing_tables_are_created() {
        let mut t = config();
        set_str(&mut t, "regime.kind", "accumulate").unwrap();
        assert_eq!(t["regime"]["kind"].as_str(), Some("accumulate"));
        set_str(&mut t, "sampling.bias", "0.9").unwrap();
        assert_eq!(t["sampling"]["bias"].as_float(), Some(0.9));
    }

    #[test]
    fn gets_what_the_config_sets() {
        let t = config();
        assert_eq!(get(&t, "arm.b.regime.fresh"), Some(Value::Integer(10)));
        assert_eq!(
            get(&t, "regime.kind"),
            Some(Value::String("replace".into()))
        );
        assert_eq!(get(&t, "regime.fresh"), None);
        assert_eq!(get(&t, "arm.c.regime.fresh"), None);
        assert!(!t["regime"].as_table().unwrap().contains_key("fresh"));
    }

    #[test]
    fn indexes_arrays_of_tables() {
        let mut t = config();
        set_str(&mut t, "arm.1.regime.kind", "replace").unwrap();
        assert_eq!(t["arm"][1]["regime"]["kind"].as_str(), Some("replace"));
        assert_eq!(t["arm"][1]["regime"]["fresh"].as_integer(), Some(10));
        set_str(&mut t, "arm.0.regime.fresh", "5").unwrap();
        assert_eq!(t["arm"][0]["regime"]["fresh"].as_integer(), Some(5));
    }

    #[test]
    fn a_path_that_does_not_exist_names_the_key() {
        let mut t = config();
        let e = set_str(&mut t, "arm.2.regime.kind", "replace").unwrap_err();
        assert_eq!(e.key, "arm.2.regime.kind");
        assert_eq!(
            e.to_string(),
            "cannot set `arm.2.regime.kind`: `arm` has 2 entries: there is no entry 2"
        );
        let e = set_str(&mut t, "arm.regime", "x").unwrap_err();
        assert!(e.to_string().contains("give an index"), "{e}");
        let e = set_str(&mut t, "name.first", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot set `name.first`: `name` is a string, not a table"
        );
        let e = set_str(&mut t, "regime..kind", "x").unwrap_err();
        assert!(e.to_string().contains("needs a name"), "{e}");
        let e = set_str(&mut t, "filters.0.kind", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot set `filters.0.kind`: `filters` does not exist: only lists already in the config can be indexed"
        );
        let e = set_str(&mut t, "arm.0", "x").unwrap_err();
        assert!(e.to_string().contains("list entry"), "{e}");
        let e = set_str(&mut t, "arm.c.regime.kind", "x").unwrap_err();
        assert!(
            e.to_string()
                .contains("no entry is named `c` (names: a, b)"),
            "{e}"
        );
        let e = set_str(&mut t, "arm.\"b.regime", "x").unwrap_err();
        assert!(e.to_string().contains("not closed"), "{e}");
    }

    #[test]
    fn names_entries_of_a_list_by_their_name() {
        let mut t = config();
        set_str(&mut t, "arm.b.regime.fresh", "20").unwrap();
        assert_eq!(t["arm"][1]["regime"]["fresh"].as_integer(), Some(20));
        t["arm"][0]["name"] = Value::String("biased-0.8".into());
        set_str(&mut t, "arm.\"biased-0.8\".sampling.bias", "0.8").unwrap();
        assert_eq!(t["arm"][0]["sampling"]["bias"].as_float(), Some(0.8));
    }
}
