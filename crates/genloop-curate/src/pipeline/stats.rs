//! Counts of a curation run, serialisable for `--json`, and their text rendering
//! (a pure function, so it is tested without running anything).

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

/// Counts of one filter of the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterStats {
    /// The filter kind, as configs spell it.
    pub kind: String,
    /// Documents that reached this filter (not dropped by an earlier one).
    pub checked: u64,
    pub dropped: u64,
    /// Drops by rule name, such as `gopher_quality.min_words`.
    pub by_rule: BTreeMap<String, u64>,
}

impl FilterStats {
    pub fn new(kind: &str) -> Self {
        FilterStats {
            kind: kind.to_string(),
            checked: 0,
            dropped: 0,
            by_rule: BTreeMap::new(),
        }
    }
}

/// Counts of one curation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurationStats {
    pub input: String,
    /// Records read (blank lines are not records).
    pub documents: u64,
    pub kept: u64,
    pub dropped: u64,
    /// Uncompressed input bytes, line terminators included.
    pub input_bytes: u64,
    /// UTF-8 bytes of the text field, all documents and kept ones.
    pub text_bytes: u64,
    pub kept_text_bytes: u64,
    pub elapsed_seconds: f64,
    /// In chain order.
    pub filters: Vec<FilterStats>,
    /// What the user should check first: a single rule that dropped more than
    /// [`DOMINANT_RULE_SHARE`] of the corpus ([`dominant_rule_warnings`]).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A rule that alone drops more than this share of a corpus is reported: it likely
/// does not suit the corpus (C4's rule of at least five sentences per paragraph
/// silently dropped every document of a corpus of one-sentence paragraphs).
pub const DOMINANT_RULE_SHARE: f64 = 0.9;

/// One warning per rule that dropped more than [`DOMINANT_RULE_SHARE`] of the
/// documents read.
pub fn dominant_rule_warnings(stats: &CurationStats) -> Vec<String> {
    let documents = stats.documents;
    stats
        .filters
        .iter()
        .flat_map(|filter| &filter.by_rule)
        .filter(|(_, &count)| documents > 0 && count as f64 > DOMINANT_RULE_SHARE * documents as f64)
        .map(|(rule, &count)| {
            format!(
                "rule `{rule}` alone dropped {count} of {documents} documents ({:.1} %); check that it suits this corpus, or leave it out (--filters FILE)",
                percent(count, documents)
            )
        })
        .collect()
}

impl CurationStats {
    /// Documents per second over the whole run (reading and writing included).
    pub fn documents_per_second(&self) -> f64 {
        self.documents as f64 / self.elapsed_seconds.max(1e-9)
    }

    /// Input megabytes (10⁶ bytes) per second.
    pub fn megabytes_per_second(&self) -> f64 {
        self.input_bytes as f64 / 1e6 / self.elapsed_seconds.max(1e-9)
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Human-readable summary: totals, then each filter and its rules.
pub fn render_text(stats: &CurationStats) -> String {
    let mut text = String::new();
    for warning in &stats.warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
    let _ = writeln!(
        text,
        "{}: {} documents, kept {} ({:.1} %), dropped {}; {:.1} MB in {:.2} s ({:.0} docs/s, {:.1} MB/s)",
        stats.input,
        stats.documents,
        stats.kept,
        percent(stats.kept, stats.documents),
        stats.dropped,
        stats.input_bytes as f64 / 1e6,
        stats.elapsed_seconds,
        stats.documents_per_second(),
        stats.megabytes_per_second(),
    );
    for filter in &stats.filters {
        let _ = writeln!(
            text,
            "  {:<18} dropped {:>9} of {:>9} ({:.1} %)",
            filter.kind,
            filter.dropped,
            filter.checked,
            percent(filter.dropped, filter.checked)
        );
        for (rule, count) in &filter.by_rule {
            let _ = writeln!(text, "    {rule:<34} {count:>9}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_totals_filters_and_rules() {
        let mut c4 = FilterStats::new("c4");
        c4.checked = 4;
        c4.dropped = 1;
        c4.by_rule.insert("c4.lorem_ipsum".into(), 1);
        let stats = CurationStats {
            input: "in.jsonl".into(),
            documents: 4,
            kept: 3,
            dropped: 1,
            input_bytes: 2_000_000,
            text_bytes: 1_500_000,
            kept_text_bytes: 1_000_000,
            elapsed_seconds: 2.0,
            filters: vec![c4],
            warnings: Vec::new(),
        };
        assert_eq!(
            render_text(&stats),
            "in.jsonl: 4 documents, kept 3 (75.0 %), dropped 1; 2.0 MB in 2.00 s (2 docs/s, 1.0 MB/s)\n\
             \x20 c4                 dropped         1 of         4 (25.0 %)\n\
             \x20   c4.lorem_ipsum                             1\n"
        );
    }

    #[test]
    fn a_rule_that_drops_nearly_everything_is_a_warning() {
        // `--profile web` dropped every document of a corpus of one-sentence
        // paragraphs through C4's five-sentence rule, without a word.
        let mut c4 = FilterStats::new("c4");
        (c4.checked, c4.dropped) = (100, 95);
        c4.by_rule.insert("c4.min_sentences".into(), 91);
        c4.by_rule.insert("c4.lorem_ipsum".into(), 4);
        let mut stats = CurationStats {
            input: "in.jsonl".into(),
            documents: 100,
            kept: 5,
            dropped: 95,
            input_bytes: 0,
            text_bytes: 0,
            kept_text_bytes: 0,
            elapsed_seconds: 1.0,
            filters: vec![c4],
            warnings: Vec::new(),
        };
        stats.warnings = dominant_rule_warnings(&stats);
        assert_eq!(
            stats.warnings,
            ["rule `c4.min_sentences` alone dropped 91 of 100 documents (91.0 %); check that it suits this corpus, or leave it out (--filters FILE)"]
        );
        assert!(render_text(&stats).starts_with("warning: rule `c4.min_sentences`"));
        stats.filters[0]
            .by_rule
            .insert("c4.min_sentences".into(), 90);
        assert!(
            dominant_rule_warnings(&stats).is_empty(),
            "90 % is not more than 90 %"
        );
    }
}
