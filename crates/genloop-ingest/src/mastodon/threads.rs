//! The second pass: staged documents → output. Versions replaced by an edit and
//! deleted posts are purged, reply links resolved, and with `join_threads` a
//! self-reply thread becomes one document.
//!
//! A thread is a root post and the replies that chain back to it through posts of
//! the same output by the same author (docs/formulas.md §9: never other authors'
//! replies). A reply to a deleted, private or someone else's post starts a thread of
//! its own. Members are held in memory only until their thread is complete, in the
//! order of the staged file; a joined document is written when its last member is
//! read, so the output keeps roughly the archive's order.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Seek};
use std::path::Path;

use super::super::output::{write_error, JsonlOutput};
use super::super::{Document, IngestError, IngestStats, SkipReason};
use super::posts::{FirstPass, Staged};

pub(crate) fn write_documents(
    first: FirstPass,
    join_threads: bool,
    scratch_path: &Path,
    output: &mut JsonlOutput,
) -> Result<IngestStats, IngestError> {
    let FirstPass {
        mut stats,
        mut scratch,
        nodes,
        deleted,
        latest,
        pseudonyms,
        ..
    } = first;
    let live: HashSet<&str> = nodes
        .keys()
        .map(String::as_str)
        .filter(|id| !deleted.contains(id))
        .collect();
    let mut threads = Threads::new(&nodes, &live, join_threads);

    let read_error = |error: std::io::Error| write_error(scratch_path, error);
    scratch.rewind().map_err(read_error)?;
    for line in BufReader::new(scratch).lines() {
        let line = line.map_err(read_error)?;
        let mut staged: Staged = serde_json::from_str(&line)
            .map_err(|error| read_error(std::io::Error::other(error)))?;
        if latest.get(&staged.document.id) != Some(&staged.position) {
            continue; // replaced by a later edit
        }
        if deleted.contains(&staged.document.id) {
            stats.skipped.add(SkipReason::Deleted);
            continue;
        }
        staged.document.metadata.in_reply_to = staged.in_reply_to.as_deref().map(|parent| {
            if live.contains(parent) {
                parent.to_string()
            } else {
                pseudonyms.author(parent)
            }
        });
        if let Some(document) = threads.add(staged, &mut stats) {
            output.write(&document)?;
            stats.documents += 1;
        }
    }
    debug_assert!(threads.pending.is_empty(), "every thread completes");
    Ok(stats)
}

/// The threads of the output: each live post's root, the size of each thread, and
/// the members read so far of threads not yet complete.
struct Threads<'a> {
    roots: HashMap<&'a str, &'a str>,
    sizes: HashMap<&'a str, usize>,
    pending: HashMap<String, Vec<Staged>>,
}

impl<'a> Threads<'a> {
    /// Without `join_threads`, every post is a thread of its own.
    fn new(
        nodes: &'a HashMap<String, super::posts::Node>,
        live: &HashSet<&'a str>,
        join_threads: bool,
    ) -> Threads<'a> {
        let roots = if join_threads {
            thread_roots(nodes, live)
        } else {
            HashMap::new()
        };
        let mut sizes: HashMap<&str, usize> = HashMap::new();
        for root in roots.values() {
            *sizes.entry(root).or_default() += 1;
        }
        Threads {
            roots,
            sizes,
            pending: HashMap::new(),
        }
    }

    /// The document to write once `staged` is read: itself when it is alone in its
    /// thread, the joined thread when it completes one, else None (held).
    fn add(&mut self, staged: Staged, stats: &mut IngestStats) -> Option<Document> {
        let root = self.roots.get(staged.document.id.as_str()).copied();
        let size = root
            .and_then(|root| self.sizes.get(root))
            .copied()
            .unwrap_or(1);
        if size <= 1 {
            return Some(staged.document);
        }
        let root = root
            .expect("a thread of several posts has a root")
            .to_string();
        let members = self.pending.entry(root.clone()).or_default();
        members.push(staged);
        if members.len() < size {
            return None;
        }
        let members = self.pending.remove(&root).expect("just filled");
        stats.replies_joined += members.len() as u64 - 1;
        Some(join(&root, members))
    }
}

/// The root of every live post's thread: follow `inReplyTo` while the parent is a
/// live post of the same author. Posts outside any thread map to themselves.
fn thread_roots<'a>(
    nodes: &'a HashMap<String, super::posts::Node>,
    live: &HashSet<&'a str>,
) -> HashMap<&'a str, &'a str> {
    let mut roots = HashMap::new();
    for &id in live {
        let author = &nodes[id].author;
        let mut current = id;
        // A reply cycle cannot happen on Mastodon; the bound keeps a forged
        // archive from looping.
        for _ in 0..nodes.len() {
            let parent = nodes[current].parent.as_deref();
            match parent.and_then(|parent| live.get(parent)) {
                Some(&parent) if nodes[parent].author == *author && parent != id => {
                    current = parent
                }
                _ => break,
            }
        }
        roots.insert(id, current);
    }
    roots
}

/// One document from a thread: the root first, then the replies by publication
/// time, the texts separated by a blank line; hashtags of all, sensitive if any is.
fn join(root: &str, mut members: Vec<Staged>) -> Document {
    members.sort_by(|a, b| {
        (a.document.id != root, &a.document.created, a.position).cmp(&(
            b.document.id != root,
            &b.document.created,
            b.position,
        ))
    });
    let mut members = members.into_iter();
    let mut document = members.next().expect("a thread has a root").document;
    document.metadata.thread = vec![document.id.clone()];
    for member in members {
        let reply = member.document;
        document.text.push_str("\n\n");
        document.text.push_str(&reply.text);
        document.metadata.sensitive |= reply.metadata.sensitive;
        if document.metadata.content_warning.is_none() {
            document.metadata.content_warning = reply.metadata.content_warning;
        }
        for tag in reply.metadata.hashtags {
            if !document.metadata.hashtags.contains(&tag) {
                document.metadata.hashtags.push(tag);
            }
        }
        document.metadata.thread.push(reply.id);
    }
    document
}
