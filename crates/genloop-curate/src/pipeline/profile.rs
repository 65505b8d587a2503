//! Built-in filter lists for `genloop curate --profile` (docs/formulas.md §5–6).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::filters::{ExactDedupConfig, FilterConfig, MinhashConfig};
use crate::rules::{
    C4Config, FineWebConfig, GopherQualityConfig, GopherRepetitionConfig, ShortFormConfig,
};

/// A named list of filters, every one at its defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Web documents: Gopher quality and repetition, C4, FineWeb, then exact and
    /// MinHash dedup (word 5-gram shingles; 3-word ones under 50 words).
    Web,
    /// Posts: the short-form rules (Gopher's 50-word minimum would drop almost every
    /// post), then exact and MinHash dedup (3-word shingles for texts under 50 words).
    Short,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Web, Profile::Short];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Web => "web",
            Profile::Short => "short",
        }
    }

    /// The filters in the order they run: cheap per-document rules first, dedup last,
    /// so the dedup indexes hold only documents that passed the rules.
    pub fn filters(self) -> Vec<FilterConfig> {
        let mut filters = match self {
            Profile::Web => vec![
                FilterConfig::GopherQuality(GopherQualityConfig::default()),
                FilterConfig::GopherRepetition(GopherRepetitionConfig::default()),
                FilterConfig::C4(C4Config::default()),
                FilterConfig::FineWeb(FineWebConfig::default()),
            ],
            Profile::Short => vec![FilterConfig::ShortForm(ShortFormConfig::default())],
        };
        filters.push(FilterConfig::ExactDedup(ExactDedupConfig::default()));
        filters.push(FilterConfig::Minhash(MinhashConfig::default()));
        filters
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// An unknown profile name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown curation profile `{0}`; profiles: web, short")]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(name: &str) -> Result<Profile, UnknownProfile> {
        Profile::ALL
            .into_iter()
            .find(|profile| profile.name() == name)
            .ok_or_else(|| UnknownProfile(name.to_string()))
    }
}

/// The filters of the profile `name` (`web` or `short`).
pub fn profile(name: &str) -> Result<Vec<FilterConfig>, UnknownProfile> {
    name.parse::<Profile>().map(Profile::filters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_list_their_filters_in_order() {
        let kinds = |name| -> Vec<&str> {
            profile(name)
                .unwrap()
                .iter()
                .map(FilterConfig::kind)
                .collect()
        };
        assert_eq!(
            kinds("web"),
            [
                "gopher_quality",
                "gopher_repetition",
                "c4",
                "fineweb",
                "exact_dedup",
                "minhash"
            ]
        );
        assert_eq!(kinds("short"), ["short_form", "exact_dedup", "minhash"]);
        assert_eq!(
            profile("tweets").unwrap_err().to_string(),
            "unknown curation profile `tweets`; profiles: web, short"
        );
    }
}
