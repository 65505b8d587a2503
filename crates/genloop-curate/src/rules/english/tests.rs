//! The splitter and the sentence counter on sentences written for these tests, each
//! naming the tokenizer rule it shows.

use super::*;

fn words(text: &str) -> Vec<&str> {
    split_words(text)
}

#[test]
fn prefixes_and_suffixes_are_separate_tokens() {
    assert_eq!(
        words("(Hello), \"world\"!"),
        ["(", "Hello", ")", ",", "\"", "world", "\"", "!"]
    );
    assert_eq!(words("Wait... what?!"), ["Wait", "...", "what", "?", "!"]);
    assert_eq!(
        words("$20 and 15km, or 50%."),
        ["$", "20", "and", "15", "km", ",", "or", "50", "%", "."]
    );
}

#[test]
fn contractions_split_into_word_and_clitic() {
    assert_eq!(words("I don't know"), ["I", "do", "n't", "know"]);
    assert_eq!(
        words("They're sure we'll win."),
        ["They", "'re", "sure", "we", "'ll", "win", "."]
    );
    assert_eq!(
        words("It’s Anna's, can't be."),
        ["It", "’s", "Anna", "'s", ",", "ca", "n't", "be", "."]
    );
    assert_eq!(
        words("dont cannot gonna"),
        ["do", "nt", "can", "not", "gon", "na"]
    );
    // Ordinary words that look like contractions stay whole.
    assert_eq!(words("well its shell"), ["well", "its", "shell"]);
}

#[test]
fn abbreviations_and_initials_stay_whole() {
    assert_eq!(
        words("Mr. Lee, e.g. here."),
        ["Mr.", "Lee", ",", "e.g.", "here", "."]
    );
    assert_eq!(
        words("The U.N.C.L.E. files"),
        ["The", "U.N.C.L.E.", "files"]
    );
    assert_eq!(words("Ask the USA."), ["Ask", "the", "USA", "."]);
    assert_eq!(words("Meet at 5pm."), ["Meet", "at", "5", "pm", "."]);
}

#[test]
fn infixes_cut_inside_a_chunk() {
    assert_eq!(
        words("a well-known end.Next"),
        ["a", "well", "-", "known", "end", ".", "Next"]
    );
    assert_eq!(
        words("red,green 3+4 and/or"),
        ["red", ",", "green", "3", "+", "4", "and/or"]
    );
    assert_eq!(words("one...two"), ["one", "...", "two"]);
    assert_eq!(
        words("version 3.14 -v --help"),
        ["version", "3.14", "-v", "--help"]
    );
}

#[test]
fn urls_and_paths_stay_whole() {
    assert_eq!(
        words("See https://example.org/a-b/c?d=e, or docs.rs."),
        [
            "See",
            "https://example.org/a-b/c?d=e",
            ",",
            "or",
            "docs.rs",
            "."
        ]
    );
    assert_eq!(words("mail anna@example.com"), ["mail", "anna@example.com"]);
    assert_eq!(words("ftp://8.8.4.4:21/pub"), ["ftp://8.8.4.4:21/pub"]);
    assert_eq!(
        words("10.0.0.1/abc 8.8.8.8/abc"),
        ["10.0.0.1", "/", "abc", "8.8.8.8/abc"]
    );
    assert!(!affixes::is_url("Hello.World"));
}

#[test]
fn whitespace_runs_are_tokens_only_for_sentences() {
    assert_eq!(words("  two\n\nlines\t here "), ["two", "lines", "here"]);
    let mut tokens = Vec::new();
    tokenize("a  b\nc", &mut |token, space| tokens.push((token, space)));
    assert_eq!(
        tokens,
        [
            ("a", false),
            (" ", true),
            ("b", false),
            ("\n", true),
            ("c", false)
        ]
    );
}

#[test]
fn sentences_start_after_a_final_mark() {
    assert_eq!(count_sentences("One. Two! Three? Four"), 4);
    assert_eq!(count_sentences("He said \"stop.\" Then left."), 2);
    // An ellipsis token is not a final mark; abbreviations keep their period.
    assert_eq!(count_sentences("Wait... then go. Mr. Lee came."), 2);
    assert_eq!(count_sentences("The U.S. team won."), 1);
    assert_eq!(count_sentences("no mark at all"), 1);
    assert_eq!(count_sentences("Done.\tNext one."), 2);
}

#[test]
fn sentence_pieces_keep_the_space_with_the_next_sentence() {
    assert_eq!(
        sentence_pieces("Go now.  Stay? no"),
        ["Go now.", "  Stay?", " no"]
    );
    assert_eq!(sentence_pieces(""), [""]);
}

#[test]
fn sentence_terminals_include_other_scripts() {
    assert!(is_sentence_terminal('。'));
    assert!(is_sentence_terminal('‼'));
    assert!(!is_sentence_terminal('…'));
    assert!(!is_sentence_terminal(','));
}
