//! Streaming `outbox.json`: the `orderedItems` of the OrderedCollection are handed
//! over one activity at a time as they are parsed, so memory stays at one activity
//! however large the archive (an active account's outbox runs to hundreds of MB).
//! Other top-level fields are skipped without being kept.

use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::super::IngestError;

/// Calls `each(position, activity)` for every item of `orderedItems` in `reader`
/// (position: 0-based index in the list). A syntax error is an [`IngestError::Json`]
/// with its line and column in the entry; an error of `each` stops the stream and
/// is returned as it is.
pub(crate) fn stream_outbox<R, F>(
    reader: R,
    archive: &std::path::Path,
    entry: &str,
    each: F,
) -> Result<(), IngestError>
where
    R: Read,
    F: FnMut(u64, serde_json::Value) -> Result<(), IngestError>,
{
    let mut state = Stream {
        each,
        failure: None,
        found: false,
        position: 0,
    };
    let mut deserializer = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let parsed = OutboxSeed(&mut state)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    if let Some(failure) = state.failure {
        return Err(failure);
    }
    parsed.map_err(|error| IngestError::json(archive, entry, &error))?;
    if !state.found {
        return Err(IngestError::Shape {
            path: archive.to_path_buf(),
            entry: entry.to_string(),
            problem: "has no `orderedItems` list; an outbox is an OrderedCollection".into(),
        });
    }
    Ok(())
}

struct Stream<F> {
    each: F,
    /// The error of `each` that stopped the stream.
    failure: Option<IngestError>,
    found: bool,
    position: u64,
}

/// The top-level object: finds `orderedItems`, skips the rest.
struct OutboxSeed<'a, F>(&'a mut Stream<F>);

impl<'de, F> DeserializeSeed<'de> for OutboxSeed<'_, F>
where
    F: FnMut(u64, serde_json::Value) -> Result<(), IngestError>,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F> Visitor<'de> for OutboxSeed<'_, F>
where
    F: FnMut(u64, serde_json::Value) -> Result<(), IngestError>,
{
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an OrderedCollection object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "orderedItems" {
                self.0.found = true;
                map.next_value_seed(ItemsSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The `orderedItems` list: one activity at a time.
struct ItemsSeed<'a, F>(&'a mut Stream<F>);

impl<'de, F> DeserializeSeed<'de> for ItemsSeed<'_, F>
where
    F: FnMut(u64, serde_json::Value) -> Result<(), IngestError>,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F> Visitor<'de> for ItemsSeed<'_, F>
where
    F: FnMut(u64, serde_json::Value) -> Result<(), IngestError>,
{
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a list of activities")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let stream = self.0;
        while let Some(activity) = seq.next_element::<serde_json::Value>()? {
            if let Err(failure) = (stream.each)(stream.position, activity) {
                stream.failure = Some(failure);
                return Err(de::Error::custom("stopped by the activity handler"));
            }
            stream.position += 1;
        }
        Ok(())
    }
}
