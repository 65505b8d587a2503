//! genloop-ingest: outside sources → JSONL corpora for the pools of the loop, one object
//! per document (`id`, `text`, `created`, `source`, `metadata`), the format
//! `genloop_text::corpus` reads with `format = "jsonl"`.
//!
//! - [`mastodon`]: a Mastodon account archive (docs/formulas.md §9). Only public posts of
//!   an author who has not opted out come out; deletions go to a [`Ledger`].
//! - [`ledger`]: the deletion ledger, and [`purge_jsonl`] to drop its ids from any
//!   corpus pool before the next training set is built.
//! - [`pseudonym`]: author pseudonyms, HMAC-SHA256 under the user's secret key (or,
//!   without one, a plain SHA-256 that anyone can recompute: said in the statistics),
//!   and the post-id pseudonyms of `anonymize`.
//!
//! Outputs are written to a temporary file in the output's folder and renamed into
//! place, so a failure never leaves half a file; an existing output is never
//! overwritten.
//!
//! ```no_run
//! use genloop_ingest::{ingest_mastodon, MastodonOptions};
//!
//! let options = MastodonOptions { join_threads: true, ..MastodonOptions::default() };
//! let stats = ingest_mastodon(
//!     "archive-20240101.zip".as_ref(),
//!     &options,
//!     "posts.jsonl".as_ref(),
//!     Some("deletions.jsonl".as_ref()),
//! )?;
//! eprintln!("{} documents from {} activities", stats.documents, stats.activities);
//! # Ok::<(), genloop_ingest::IngestError>(())
//! ```

mod error;
pub mod ledger;
pub mod mastodon;
mod output;
pub mod pseudonym;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use error::IngestError;
pub use ledger::{purge_jsonl, Ledger, LedgerEntry, PurgeStats};
pub use mastodon::{ingest_mastodon, MastodonOptions};
pub use pseudonym::{PseudonymKey, PseudonymKind, Pseudonyms};

/// One output line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The post's id (for Mastodon, the Note's URI).
    pub id: String,
    pub text: String,
    /// When the post was published, RFC 3339 as the source wrote it.
    pub created: Option<String>,
    /// Where the document comes from (`"mastodon"`).
    pub source: String,
    pub metadata: DocumentMetadata,
}

/// What is known about a document besides its text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentMetadata {
    /// A pseudonym of the author: [`pseudonym`] of the actor id, never the name.
    pub author: String,
    /// The language the author set (the key of Mastodon's `contentMap`).
    pub language: Option<String>,
    /// The content warning (Mastodon's `summary`), when there is one.
    pub content_warning: Option<String>,
    pub sensitive: bool,
    /// Hashtags of the post, lower case, without `#`, in order of first use.
    pub hashtags: Vec<String>,
    pub visibility: Visibility,
    /// The post replied to: its id when it is a document of the same output (a
    /// self-reply), else [`pseudonym`] of its id (other accounts' ids carry names).
    pub in_reply_to: Option<String>,
    /// Why this document may be used, e.g. "public post; no opt-out tag in bio or
    /// profile fields; discoverable=true; indexable=unset".
    pub consent: String,
    /// The author's `discoverable` flag (None when the profile does not say).
    pub discoverable: Option<bool>,
    /// The author's `indexable` flag (None when the profile does not say).
    pub indexable: Option<bool>,
    /// `note` or `question` (a poll; its options follow the question in the text).
    pub kind: PostKind,
    /// The post's web address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// With joined threads: the ids of all posts joined into this document, root
    /// first, so that a deletion of any of them purges the document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thread: Vec<String>,
}

/// Who could see a post (docs/formulas.md §9: from its `to` and `cc`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Public is addressed in `to`.
    Public,
    /// Public is only in `cc`: public, but kept off the public timelines.
    Unlisted,
    /// Addressed to the author's followers.
    FollowersOnly,
    /// Addressed to the mentioned accounts only.
    Direct,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::FollowersOnly => "followers_only",
            Visibility::Direct => "direct",
        }
    }
}

/// The kind of post a document comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    Note,
    Question,
}

/// Why an activity produced no document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// An `Announce`: someone else's post.
    Boost,
    /// An activity (or a created object) of a type that holds no post of the author.
    UnknownType,
    FollowersOnly,
    Direct,
    /// Unlisted, without `include_unlisted`.
    Unlisted,
    /// The account is a bot (actor type `Service` or `Application`, or `bot: true`).
    BotActor,
    /// An opt-out tag (#nobot, #noai, ...) in the bio, a profile field or the post.
    OptOut,
    /// Deleted later in the archive, or already in the deletion ledger.
    Deleted,
    /// Nothing left once the HTML is turned into text (a post of media only).
    EmptyText,
    /// An activity whose fields do not have the ActivityStreams shape.
    Malformed,
}

impl SkipReason {
    /// The reason's name in JSON (`followers_only`).
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Boost => "boost",
            SkipReason::UnknownType => "unknown_type",
            SkipReason::FollowersOnly => "followers_only",
            SkipReason::Direct => "direct",
            SkipReason::Unlisted => "unlisted",
            SkipReason::BotActor => "bot_actor",
            SkipReason::OptOut => "opt_out",
            SkipReason::Deleted => "deleted",
            SkipReason::EmptyText => "empty_text",
            SkipReason::Malformed => "malformed",
        }
    }
}

/// Skipped activities by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkipCounts {
    pub boost: u64,
    pub unknown_type: u64,
    pub followers_only: u64,
    pub direct: u64,
    pub unlisted: u64,
    pub bot_actor: u64,
    pub opt_out: u64,
    pub deleted: u64,
    pub empty_text: u64,
    pub malformed: u64,
}

impl SkipCounts {
    pub fn add(&mut self, reason: SkipReason) {
        *self.count_mut(reason) += 1;
    }

    pub fn total(&self) -> u64 {
        self.pairs().iter().map(|(_, count)| count).sum()
    }

    /// Every reason with its count, in declaration order.
    pub fn pairs(&self) -> [(SkipReason, u64); 10] {
        [
            (SkipReason::Boost, self.boost),
            (SkipReason::UnknownType, self.unknown_type),
            (SkipReason::FollowersOnly, self.followers_only),
            (SkipReason::Direct, self.direct),
            (SkipReason::Unlisted, self.unlisted),
            (SkipReason::BotActor, self.bot_actor),
            (SkipReason::OptOut, self.opt_out),
            (SkipReason::Deleted, self.deleted),
            (SkipReason::EmptyText, self.empty_text),
            (SkipReason::Malformed, self.malformed),
        ]
    }

    fn count_mut(&mut self, reason: SkipReason) -> &mut u64 {
        match reason {
            SkipReason::Boost => &mut self.boost,
            SkipReason::UnknownType => &mut self.unknown_type,
            SkipReason::FollowersOnly => &mut self.followers_only,
            SkipReason::Direct => &mut self.direct,
            SkipReason::Unlisted => &mut self.unlisted,
            SkipReason::BotActor => &mut self.bot_actor,
            SkipReason::OptOut => &mut self.opt_out,
            SkipReason::Deleted => &mut self.deleted,
            SkipReason::EmptyText => &mut self.empty_text,
            SkipReason::Malformed => &mut self.malformed,
        }
    }
}

/// What an ingestion read, wrote and skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestStats {
    /// Activities read from the outbox.
    pub activities: u64,
    /// Lines written to the output.
    pub documents: u64,
    /// Self-replies joined into the document of their thread's root (not counted in
    /// `documents` or `skipped`).
    pub replies_joined: u64,
    pub skipped: SkipCounts,
    /// The activity types counted in `skipped.unknown_type`, with their counts.
    pub unknown_types: BTreeMap<String, u64>,
    /// `Delete` activities read (each id goes to the ledger once).
    pub deletions: u64,
    /// Ids newly appended to the ledger.
    pub ledger_appended: u64,
    /// Why the whole account was skipped, when it was (a bot, an opt-out tag).
    pub consent_refused: Option<String>,
    /// The first malformed activities, each with its position in `orderedItems`.
    pub problems: Vec<String>,
    /// `Update` activities (edits) whose text replaced the earlier version.
    pub edits: u64,
    /// How author pseudonyms were made: `keyed` (HMAC-SHA256 under a secret key) or
    /// `unkeyed` (SHA-256 that anyone can recompute from the public actor URL).
    pub pseudonyms: PseudonymKind,
    /// Whether post ids were replaced by pseudonyms and web addresses dropped.
    pub anonymized: bool,
    /// What a reader of the output should know first (an unkeyed pseudonym).
    pub warnings: Vec<String>,
}

/// At most this many malformed activities are described in [`IngestStats::problems`];
/// all are counted.
pub const MAX_PROBLEMS: usize = 20;

/// The unkeyed pseudonym of an actor or post id: the first 16 hex digits (64 bits)
/// of its SHA-256. It hides the name from a reader of the corpus, not from someone
/// who guesses the id (a public URL): ingest with a key ([`Pseudonyms`]) instead.
pub fn pseudonym(id: &str) -> String {
    Pseudonyms::default().author(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names_match_their_json() {
        for (reason, _) in SkipCounts::default().pairs() {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
        for visibility in [
            Visibility::Public,
            Visibility::Unlisted,
            Visibility::FollowersOnly,
            Visibility::Direct,
        ] {
            assert_eq!(
                serde_json::to_value(visibility).unwrap(),
                visibility.as_str()
            );
        }
    }

    #[test]
    fn pseudonyms_are_stable_hex() {
        // SHA-256("abc") = ba7816bf 8f01cfea ... (FIPS 180-2, appendix B.1).
        assert_eq!(pseudonym("abc"), "ba7816bf8f01cfea");
        let author = pseudonym("https://example.social/users/wren");
        assert_eq!(author.len(), 16);
        assert!(author.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(author, pseudonym("https://example.social/users/wren"));
        assert_ne!(author, pseudonym("https://example.social/users/robin"));
    }
}
