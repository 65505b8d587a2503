//! How many worker threads a command starts: `--threads`, capped at
//! [`OVERSUBSCRIPTION`] threads per core. Results do not depend on the count, so more
//! threads than that only add switching and memory: `--threads 100000` started 1,795
//! threads and drove a machine's load to 400 before the cap.

/// Most threads per core a command starts.
pub const OVERSUBSCRIPTION: usize = 4;

/// The thread count for `requested` (`None`: one per core) on a machine of `cores`;
/// a count above the cap comes back capped, with the note to print.
pub fn cap(requested: Option<usize>, cores: usize) -> (usize, Option<String>) {
    let limit = cores.max(1) * OVERSUBSCRIPTION;
    match requested {
        None => (cores.max(1), None),
        Some(n) if n > limit => (
            limit,
            Some(format!(
                "note: --threads {n} capped at {limit} ({OVERSUBSCRIPTION} per core on {cores} cores)"
            )),
        ),
        Some(n) => (n, None),
    }
}

/// [`cap`] on this machine; the note, if any, goes to stderr.
pub fn resolve(requested: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (threads, note) = cap(requested, cores);
    if let Some(note) = note {
        eprintln!("{note}");
    }
    threads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_request_is_capped_with_a_note() {
        let (threads, note) = cap(Some(100_000), 16);
        assert_eq!(threads, 64);
        assert_eq!(
            note.as_deref(),
            Some("note: --threads 100000 capped at 64 (4 per core on 16 cores)")
        );
        assert_eq!(cap(Some(64), 16), (64, None));
        assert_eq!(cap(Some(3), 16), (3, None));
        assert_eq!(cap(None, 16), (16, None));
    }
}
