//! The first pass over the outbox: each activity is classified, each post checked
//! (consent, visibility, opt-out hashtags, text) and the documents staged in a
//! scratch file, since a `Delete`, an edit (`Update`) or a self-reply later in the
//! outbox can still change them. Only ids, reply links and the position of each
//! post's latest version stay in memory.
//!
//! Edits apply in the outbox's order: the last `Create` or `Update` of an id is the
//! version used, and it is checked again as a whole (an edit that adds #nobot, or
//! turns the post followers-only, drops it).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::super::output::write_error;
use super::super::pseudonym::{Pseudonyms, UNKEYED_WARNING};
use super::super::{
    Document, DocumentMetadata, IngestError, IngestStats, Ledger, LedgerEntry, PostKind,
    SkipReason, Visibility, MAX_PROBLEMS,
};
use super::activity::{classify, visibility, Activity, Decision, Object};
use super::actor::{is_opt_out, Actor, Consent};
use super::{html, MastodonOptions};

/// A document waiting for the second pass.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Staged {
    /// Position of the activity in `orderedItems`.
    pub position: u64,
    /// The id of the post replied to, as the archive wrote it.
    pub in_reply_to: Option<String>,
    pub document: Document,
}

/// A staged post's place in the reply graph.
#[derive(Debug)]
pub(crate) struct Node {
    pub parent: Option<String>,
    pub author: String,
}

/// What the first pass leaves for the second.
pub(crate) struct FirstPass {
    pub stats: IngestStats,
    pub scratch: File,
    pub nodes: HashMap<String, Node>,
    /// The deletion ledger given, plus this archive's deletions.
    pub deleted: Ledger,
    /// This archive's deletions that the ledger did not hold yet.
    pub new_deletions: Vec<LedgerEntry>,
    /// The position of each post's latest version: staged documents of earlier
    /// positions were replaced by an edit.
    pub latest: HashMap<String, u64>,
    pub pseudonyms: Pseudonyms,
}

pub(crate) struct Collector<'a> {
    actor: &'a Actor,
    consent: Consent,
    options: &'a MastodonOptions,
    scratch_path: PathBuf,
    scratch: BufWriter<File>,
    stats: IngestStats,
    nodes: HashMap<String, Node>,
    deleted: Ledger,
    new_deletions: Vec<LedgerEntry>,
    latest: HashMap<String, u64>,
    pseudonyms: Pseudonyms,
}

impl<'a> Collector<'a> {
    /// `scratch_path` only names the scratch file in errors (it has no name).
    pub(crate) fn new(
        actor: &'a Actor,
        options: &'a MastodonOptions,
        scratch: File,
        scratch_path: PathBuf,
        deleted: Ledger,
    ) -> Collector<'a> {
        let consent = actor.consent();
        let pseudonyms = Pseudonyms::new(options.pseudonym_key.clone());
        let mut stats = IngestStats {
            pseudonyms: pseudonyms.kind(),
            anonymized: options.anonymize,
            ..IngestStats::default()
        };
        if options.pseudonym_key.is_none() {
            stats.warnings.push(UNKEYED_WARNING.to_string());
        }
        if let Consent::Refused { detail, .. } = &consent {
            stats.consent_refused = Some(detail.clone());
        }
        Collector {
            actor,
            consent,
            options,
            scratch_path,
            scratch: BufWriter::new(scratch),
            stats,
            nodes: HashMap::new(),
            deleted,
            new_deletions: Vec::new(),
            latest: HashMap::new(),
            pseudonyms,
        }
    }

    /// A post id as the output writes it: a pseudonym with `anonymize` (a post's URI
    /// holds its author's handle).
    fn post_id(&self, id: String) -> String {
        if self.options.anonymize {
            self.pseudonyms.post_id(&id)
        } else {
            id
        }
    }

    /// One item of `orderedItems`.
    pub(crate) fn take(
        &mut self,
        position: u64,
        item: serde_json::Value,
    ) -> Result<(), IngestError> {
        self.stats.activities += 1;
        let item_id = item
            .get("id")
            .and_then(|id| id.as_str())
            .map(str::to_string);
        let activity: Activity = match serde_json::from_value(item) {
            Ok(activity) => activity,
            Err(error) => {
                self.malformed(position, item_id.as_deref(), &error.to_string());
                return Ok(());
            }
        };
        match classify(activity) {
            Decision::Post { object, edit } => self.post(position, *object, edit)?,
            Decision::Delete { id, published } => {
                self.stats.deletions += 1;
                let id = self.post_id(id);
                if self.deleted.insert(id.clone()) {
                    self.new_deletions.push(LedgerEntry {
                        id,
                        deleted: published,
                    });
                }
            }
            Decision::Skip(reason) => self.stats.skipped.add(reason),
            Decision::Unknown(kind) => {
                self.stats.skipped.add(SkipReason::UnknownType);
                *self.stats.unknown_types.entry(kind).or_default() += 1;
            }
            Decision::Malformed(problem) => self.malformed(position, item_id.as_deref(), &problem),
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<FirstPass, IngestError> {
        let scratch_path = self.scratch_path;
        let scratch = self
            .scratch
            .into_inner()
            .map_err(|error| write_error(&scratch_path, error.into_error()))?;
        Ok(FirstPass {
            stats: self.stats,
            scratch,
            nodes: self.nodes,
            deleted: self.deleted,
            new_deletions: self.new_deletions,
            latest: self.latest,
            pseudonyms: self.pseudonyms,
        })
    }

    /// A post (`edit`: a new version of one): staged as a document when usable. Its
    /// position becomes the id's latest, so an earlier version is dropped either way.
    fn post(&mut self, position: u64, mut object: Object, edit: bool) -> Result<(), IngestError> {
        if let Consent::Refused { reason, .. } = &self.consent {
            self.stats.skipped.add(*reason);
            return Ok(());
        }
        let Some(raw_id) = object.id.take() else {
            self.malformed(position, None, &format!("a {} without an id", object.kind));
            return Ok(());
        };
        let id = self.post_id(raw_id);
        if !edit && self.latest.contains_key(&id) {
            self.malformed(position, Some(&id), "a second post with the same id");
            return Ok(());
        }
        if edit {
            self.stats.edits += 1;
            self.nodes.remove(&id);
        }
        self.latest.insert(id.clone(), position);
        object.in_reply_to = object.in_reply_to.take().map(|parent| self.post_id(parent));
        let visibility = visibility(&object, self.actor.followers.as_deref());
        let consent_note = match visibility {
            Visibility::Public => "public post",
            Visibility::Unlisted if self.options.include_unlisted => {
                "unlisted post (include_unlisted)"
            }
            Visibility::Unlisted => return self.skip(SkipReason::Unlisted),
            Visibility::FollowersOnly => return self.skip(SkipReason::FollowersOnly),
            Visibility::Direct => return self.skip(SkipReason::Direct),
        };
        let Some(document) = self.document(id, &object, visibility, consent_note) else {
            return Ok(());
        };
        let author = document.metadata.author.clone();
        let staged = Staged {
            position,
            in_reply_to: object.in_reply_to,
            document,
        };
        serde_json::to_writer(&mut self.scratch, &staged)
            .map_err(std::io::Error::from)
            .and_then(|()| self.scratch.write_all(b"\n"))
            .map_err(|error| write_error(&self.scratch_path, error))?;
        self.nodes.insert(
            staged.document.id,
            Node {
                parent: staged.in_reply_to,
                author,
            },
        );
        Ok(())
    }

    /// The document of a post that may be used, or None (counted) when it has an
    /// opt-out hashtag or no text.
    fn document(
        &mut self,
        id: String,
        object: &Object,
        visibility: Visibility,
        consent_note: &str,
    ) -> Option<Document> {
        let language = language(object);
        let (mut text, hashtags) = text_and_hashtags(object, language.as_deref());
        if hashtags.iter().any(|tag| is_opt_out(tag)) {
            self.stats.skipped.add(SkipReason::OptOut);
            return None;
        }
        let kind = post_kind(object, &mut text);
        if text.is_empty() {
            self.stats.skipped.add(SkipReason::EmptyText);
            return None;
        }
        let author_id = object.attributed_to.as_deref().or(self.actor.id.as_deref());
        // A post's web address holds the author's handle.
        let url = object.url.clone().filter(|_| !self.options.anonymize);
        Some(Document {
            id,
            text,
            created: object.published.clone(),
            source: "mastodon".into(),
            metadata: DocumentMetadata {
                author: self.pseudonyms.author(author_id.unwrap_or_default()),
                language,
                content_warning: content_warning(object),
                sensitive: object.sensitive.unwrap_or(false),
                hashtags,
                visibility,
                in_reply_to: None,
                consent: self.actor.basis(consent_note),
                discoverable: self.actor.discoverable,
                indexable: self.actor.indexable,
                kind,
                url,
                thread: Vec::new(),
            },
        })
    }

    fn skip(&mut self, reason: SkipReason) -> Result<(), IngestError> {
        self.stats.skipped.add(reason);
        Ok(())
    }

    fn malformed(&mut self, position: u64, id: Option<&str>, problem: &str) {
        let stats = &mut self.stats;
        stats.skipped.add(SkipReason::Malformed);
        if stats.problems.len() < MAX_PROBLEMS {
            let id = id.map(|id| format!(" ({id})")).unwrap_or_default();
            stats
                .problems
                .push(format!("orderedItems[{position}]{id}: {problem}"));
        }
    }
}

/// The post's language: the key of `contentMap` (Mastodon writes one), the one
/// whose HTML is `content` when there are several.
fn language(object: &Object) -> Option<String> {
    let map = object.content_map.as_ref()?;
    let matching = map
        .iter()
        .find(|(_, html)| Some(html.as_str()) == object.content.as_deref());
    matching
        .or_else(|| map.iter().next())
        .map(|(language, _)| language.clone())
}

/// The post's plain text and its hashtags: those its HTML links, then the
/// `Hashtag` tags it does not, lowercased without `#`.
fn text_and_hashtags(object: &Object, language: Option<&str>) -> (String, Vec<String>) {
    let html_content = object.content.as_deref().or_else(|| {
        let map = object.content_map.as_ref()?;
        map.get(language?).map(String::as_str)
    });
    let plain = html::to_text(html_content.unwrap_or_default());
    let mut hashtags = plain.hashtags;
    for tag in object.tag.iter().filter(|tag| tag.kind == "Hashtag") {
        let name = tag.name.as_deref().unwrap_or_default();
        let name = name.trim_start_matches('#').to_lowercase();
        if !name.is_empty() && !hashtags.contains(&name) {
            hashtags.push(name);
        }
    }
    (plain.text, hashtags)
}

/// A Note, or a poll (`Question`), whose options (plain text, not HTML) are the
/// author's text too: appended to `text`, one per line.
fn post_kind(object: &Object, text: &mut String) -> PostKind {
    if object.kind != "Question" {
        return PostKind::Note;
    }
    let options: Vec<String> = object
        .one_of
        .iter()
        .chain(&object.any_of)
        .filter_map(|option| option.name.as_deref())
        .map(|name| format!("- {}", name.trim()))
        .collect();
    if !options.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&options.join("\n"));
    }
    PostKind::Question
}

/// The content warning (`summary`), trimmed; None when empty.
fn content_warning(object: &Object) -> Option<String> {
    object
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|warning| !warning.is_empty())
        .map(str::to_string)
}
