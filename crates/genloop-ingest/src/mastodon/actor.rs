//! `actor.json` and the consent gates on it (docs/formulas.md §9): a bot account is
//! skipped whole, and so is an account with an opt-out tag in its bio or profile
//! fields. `discoverable` and `indexable` are recorded on every document.

use serde::{Deserialize, Deserializer};

use super::super::SkipReason;
use super::html;

/// Hashtags by which people ask not to be crawled, indexed or trained on (compared
/// in lower case, without `#`).
pub const OPT_OUT_TAGS: [&str; 6] = [
    "nobot",
    "nobots",
    "noindex",
    "nosearch",
    "noai",
    "noarchive",
];

/// Actor types of automated accounts: Mastodon writes `Service` for a bot account
/// and `Application` for a server's own actor.
const BOT_TYPES: [&str; 2] = ["Service", "Application"];

/// The fields of `actor.json` that ingestion reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Actor {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    /// Some servers write the bot flag as a field of its own.
    #[serde(default)]
    pub bot: Option<bool>,
    #[serde(default)]
    pub followers: Option<String>,
    /// The bio (HTML).
    #[serde(default)]
    pub summary: Option<String>,
    /// Profile fields (`PropertyValue` name/value, the value HTML) and other
    /// attachments (an avatar's image has neither).
    #[serde(default, deserialize_with = "lenient_list")]
    pub attachment: Vec<Attachment>,
    /// Hashtags (and emoji) used in the bio.
    #[serde(default, deserialize_with = "lenient_list")]
    pub tag: Vec<ActorTag>,
    #[serde(default)]
    pub discoverable: Option<bool>,
    #[serde(default)]
    pub indexable: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Attachment {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ActorTag {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// The account-wide consent decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Consent {
    /// Posts may be used when public (and pass the per-post checks).
    Given,
    /// Nothing of this account is used.
    Refused { reason: SkipReason, detail: String },
}

impl Actor {
    /// The gate: bots first, then opt-out tags in the bio, the profile fields (names
    /// and values) and the bio's hashtag list.
    pub(crate) fn consent(&self) -> Consent {
        if BOT_TYPES.contains(&self.kind.as_str()) {
            return Consent::Refused {
                reason: SkipReason::BotActor,
                detail: format!("the account is a bot (actor type {})", self.kind),
            };
        }
        if self.bot == Some(true) {
            return Consent::Refused {
                reason: SkipReason::BotActor,
                detail: "the account is a bot (bot: true)".into(),
            };
        }
        let mut places: Vec<(String, Vec<String>)> = Vec::new();
        if let Some(bio) = &self.summary {
            places.push(("the bio".into(), html::profile_hashtags(bio)));
        }
        for field in &self.attachment {
            let name = field.name.as_deref().unwrap_or_default();
            let mut tags = html::profile_hashtags(name);
            tags.extend(html::profile_hashtags(
                field.value.as_deref().unwrap_or_default(),
            ));
            places.push((
                format!("the profile field \"{}\"", html::to_text(name).text),
                tags,
            ));
        }
        let listed = self
            .tag
            .iter()
            .filter(|tag| tag.kind == "Hashtag")
            .filter_map(|tag| tag.name.as_deref())
            .map(|name| name.trim_start_matches('#').to_lowercase())
            .collect();
        places.push(("the profile's hashtags".into(), listed));
        for (place, tags) in places {
            if let Some(tag) = tags.iter().find(|tag| is_opt_out(tag)) {
                return Consent::Refused {
                    reason: SkipReason::OptOut,
                    detail: format!("opt-out tag #{tag} in {place}"),
                };
            }
        }
        Consent::Given
    }

    /// The consent basis recorded on a document of this account.
    pub(crate) fn basis(&self, visibility_note: &str) -> String {
        format!(
            "{visibility_note}; no opt-out tag in bio or profile fields; discoverable={}; \
             indexable={}",
            flag(self.discoverable),
            flag(self.indexable)
        )
    }
}

/// True for a tag (lower case, without `#`) that opts out.
pub(crate) fn is_opt_out(tag: &str) -> bool {
    OPT_OUT_TAGS.contains(&tag)
}

fn flag(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "true",
        Some(false) => "false",
        None => "unset",
    }
}

/// A list whose entries of another shape are dropped rather than failing the
/// actor: an avatar `Image` among the profile fields, a string among the tags.
fn lenient_list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            Some(serde_json::Value::Array(values)) => values
                .into_iter()
                .filter_map(|value| serde_json::from_value(value).ok())
                .collect(),
            Some(value @ serde_json::Value::Object(_)) => {
                serde_json::from_value(value).ok().into_iter().collect()
            }
            _ => Vec::new(),
        },
    )
}
