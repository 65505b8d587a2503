//! The ActivityStreams 2.0 shapes of an outbox, as far as ingestion reads them
//! (docs/formulas.md §9), and [`classify`]: one activity → one decision.
//!
//! ActivityStreams lets most fields be one value or a list, and a reference be a
//! URI or an object with an `id`; the types here accept every such form. Fields
//! ingestion does not read are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use super::super::{SkipReason, Visibility};

/// The ways ActivityStreams writes the public collection.
const PUBLIC: [&str; 3] = [
    "https://www.w3.org/ns/activitystreams#Public",
    "as:Public",
    "Public",
];

/// One item of `orderedItems`.
#[derive(Debug, Deserialize)]
pub(crate) struct Activity {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub object: Option<ObjectOrId>,
    #[serde(default, deserialize_with = "references")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "references")]
    pub cc: Vec<String>,
}

/// An activity's `object`: a URI, or the object itself.
#[derive(Debug)]
pub(crate) enum ObjectOrId {
    Id(String),
    Object(Box<Object>),
}

impl<'de> Deserialize<'de> for ObjectOrId {
    /// By hand rather than `untagged`, so that a malformed object reports its own
    /// error ("invalid type: ... expected a string") instead of "no variant matched".
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(id) => Ok(ObjectOrId::Id(id)),
            value => Object::deserialize(value)
                .map(|object| ObjectOrId::Object(Box::new(object)))
                .map_err(serde::de::Error::custom),
        }
    }
}

/// A Note, Question or Tombstone (only the fields ingestion reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Object {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "optional_reference")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "optional_reference")]
    pub attributed_to: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub content_map: Option<BTreeMap<String, String>>,
    /// The content warning.
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub sensitive: Option<bool>,
    #[serde(default, deserialize_with = "optional_reference")]
    pub in_reply_to: Option<String>,
    #[serde(default, deserialize_with = "references")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "references")]
    pub cc: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub tag: Vec<Tag>,
    /// A poll's options (single choice).
    #[serde(default, deserialize_with = "one_or_many")]
    pub one_of: Vec<PollOption>,
    /// A poll's options (multiple choice).
    #[serde(default, deserialize_with = "one_or_many")]
    pub any_of: Vec<PollOption>,
}

/// An entry of `tag`: a Mention, Hashtag or Emoji.
#[derive(Debug, Deserialize)]
pub(crate) struct Tag {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PollOption {
    #[serde(default)]
    pub name: Option<String>,
}

/// What to do with one activity.
#[derive(Debug)]
pub(crate) enum Decision {
    /// A post of the author: a document candidate, still subject to visibility,
    /// consent and text checks. `edit`: an `Update`, whose version replaces the
    /// earlier one of the same id.
    Post {
        object: Box<Object>,
        edit: bool,
    },
    /// A deletion of the post with this id.
    Delete {
        id: String,
        published: Option<String>,
    },
    Skip(SkipReason),
    /// Counted as [`SkipReason::UnknownType`] under this name.
    Unknown(String),
    /// Counted as [`SkipReason::Malformed`], with this description.
    Malformed(String),
}

/// The decision for one activity, from its type alone.
pub(crate) fn classify(activity: Activity) -> Decision {
    match activity.kind.as_str() {
        "Create" => post(activity, false),
        // An edit: the object is the whole new version of the post.
        "Update" => post(activity, true),
        "Announce" => Decision::Skip(SkipReason::Boost),
        "Delete" => {
            let id = match activity.object {
                Some(ObjectOrId::Id(id)) => Some(id),
                Some(ObjectOrId::Object(object)) => object.id,
                None => None,
            };
            match id {
                Some(id) => Decision::Delete {
                    id,
                    published: activity.published,
                },
                None => Decision::Malformed("a Delete without the id of what it deletes".into()),
            }
        }
        other => Decision::Unknown(or_untyped(other).to_string()),
    }
}

/// A `Create` or `Update` of a Note or Question.
fn post(activity: Activity, edit: bool) -> Decision {
    let verb = &activity.kind;
    match activity.object {
        Some(ObjectOrId::Object(mut object)) => match object.kind.as_str() {
            "Note" | "Question" => {
                // Addressing lives on the object; fall back to the activity's.
                if object.to.is_empty() && object.cc.is_empty() {
                    object.to = activity.to;
                    object.cc = activity.cc;
                }
                if object.published.is_none() {
                    object.published = activity.published;
                }
                Decision::Post { object, edit }
            }
            other => Decision::Unknown(format!("{verb}/{}", or_untyped(other))),
        },
        Some(ObjectOrId::Id(id)) => {
            Decision::Malformed(format!("a {verb} whose object is only a URI ({id})"))
        }
        None => Decision::Malformed(format!("a {verb} without an object")),
    }
}

fn or_untyped(kind: &str) -> &str {
    if kind.is_empty() {
        "(no type)"
    } else {
        kind
    }
}

/// Who could see a post: public when Public is in `to`, unlisted when it is in
/// `cc`, followers-only when the author's followers collection is addressed, else
/// direct (docs/formulas.md §9).
pub(crate) fn visibility(object: &Object, followers: Option<&str>) -> Visibility {
    let is_public = |address: &String| PUBLIC.contains(&address.as_str());
    if object.to.iter().any(is_public) {
        Visibility::Public
    } else if object.cc.iter().any(is_public) {
        Visibility::Unlisted
    } else if object.to.iter().chain(&object.cc).any(|address| {
        followers.is_some_and(|followers| address == followers) || address.ends_with("/followers")
    }) {
        Visibility::FollowersOnly
    } else {
        Visibility::Direct
    }
}

/// One reference: a URI, or an object with an `id` (or a Link with an `href`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Reference {
    Uri(String),
    Object {
        #[serde(alias = "href")]
        id: String,
    },
    /// An object without an id: nothing to refer to.
    Other(serde::de::IgnoredAny),
}

impl Reference {
    fn into_uri(self) -> Option<String> {
        match self {
            Reference::Uri(uri) | Reference::Object { id: uri } => Some(uri),
            Reference::Other(_) => None,
        }
    }
}

/// One value or a list of them; null and absent are an empty list.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(match Option::<OneOrMany<T>>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(value)) => vec![value],
        Some(OneOrMany::Many(values)) => values,
    })
}

fn references<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(one_or_many::<D, Reference>(deserializer)?
        .into_iter()
        .filter_map(Reference::into_uri)
        .collect())
}

fn optional_reference<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(references(deserializer)?.into_iter().next())
}
