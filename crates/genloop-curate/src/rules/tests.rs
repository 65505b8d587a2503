//! One hand-written document per rule, each dropped by that rule with its stable name,
//! and one ordinary paragraph that every rule set keeps.

use super::*;

/// An ordinary paragraph: 100 words, six sentences, one line.
const ORDINARY: &str = "The river town wakes slowly in winter, and the bakers are the first \
to open their doors. By seven the smell of bread has reached the harbour, where fishermen mend \
nets that were torn during the night. Children walk to school along the old wall, counting the \
gulls that sit on every post. Most shops stay closed until nine, because few visitors arrive \
before the morning ferry. In the afternoon the light fades early and the streets grow quiet \
again. People gather in the small library to read, talk about the weather, and share tea with \
their neighbours.";

fn dropped_by(rule: &dyn Rule, text: &str) -> &'static str {
    match rule.check(text) {
        Verdict::Drop { rule, reason } => {
            assert!(!reason.is_empty());
            rule
        }
        Verdict::Keep => panic!("{} kept {text:.80?}", rule.name()),
    }
}

fn repeat(text: &str, times: usize) -> String {
    vec![text; times].join(" ")
}

#[test]
fn ordinary_paragraph_passes_every_rule_set() {
    let chain = Chain::new(vec![
        Box::new(GopherQuality::new(GopherQualityConfig::default())),
        Box::new(GopherRepetition::new(GopherRepetitionConfig::default())),
        Box::new(C4::new(C4Config::default())),
        Box::new(FineWeb::new(FineWebConfig::default())),
        Box::new(ShortForm::new(ShortFormConfig::default())),
        Box::new(LengthBounds {
            min_words: 50,
            max_words: 1_000,
        }),
    ]);
    assert_eq!(chain.check(ORDINARY), Verdict::Keep);
    assert_eq!(
        C4::default().clean(ORDINARY),
        (ORDINARY.to_string(), vec![])
    );
}

#[test]
fn chain_takes_the_first_drop_and_keeps_when_empty() {
    let chain = Chain::new(vec![
        Box::new(LengthBounds {
            min_words: 0,
            max_words: 1,
        }),
        Box::new(GopherQuality::default()),
    ]);
    assert_eq!(dropped_by(&chain, "Two words."), "length_bounds.max_words");
    assert_eq!(Chain::new(vec![]).check(""), Verdict::Keep);
}

#[test]
fn gopher_quality_each_rule_fires_on_its_document() {
    let rule = GopherQuality::default();
    let short_words = repeat(
        "We go to it as I do, so he is on it to be at one with us.",
        5,
    );
    let long_words = repeat(
        "The internationalization and characteristically counterproductive responsibilities.",
        12,
    );
    let hashtags = repeat("#town #winter #bread #harbour #tea", 5);
    let dots = "The river... the town... the bread... the nets... the gulls... ";
    let bullets = repeat("- the list of things to bring with us\n", 8);
    let trailing = "The road went on and on\n".to_string() + &repeat("to the hills...\n", 4);
    let numbers = repeat("1990 2001 1875 42 314 2718 1618 577", 5);
    let no_stop = repeat(
        "Bright red apples fill wooden crates near our market stall every autumn morning.",
        6,
    );
    let cases: [(String, &str); 10] = [
        (
            "The cat sat on the mat and that was all.".into(),
            "min_words",
        ),
        (repeat(ORDINARY, 1_100), "max_words"),
        (short_words, "min_mean_word_length"),
        (long_words, "max_mean_word_length"),
        (format!("{ORDINARY} {hashtags}"), "hash_ratio"),
        (
            format!("{ORDINARY} {}The end.", repeat(dots, 5)),
            "ellipsis_ratio",
        ),
        (bullets, "bullet_lines"),
        (format!("{ORDINARY}\n{trailing}"), "ellipsis_lines"),
        (format!("{ORDINARY} {numbers}"), "alpha_words"),
        (no_stop, "stop_words"),
    ];
    for (text, name) in &cases {
        assert_eq!(
            dropped_by(&rule, text),
            format!("gopher_quality.{name}"),
            "{text:.80}"
        );
    }
}

#[test]
fn gopher_repetition_each_rule_fires_on_its_document() {
    let rule = GopherRepetition::default();
    let long = "A long paragraph about the harbour, the ferry and the fishermen who work there.";
    let cases: [(String, &str); 6] = [
        (
            "Ferry at noon.\n\nFerry at noon.\n\nShops open at nine.".into(),
            "dup_paragraphs",
        ),
        (
            format!("{long}\n\nShort one.\n\nAnother.\n\n{long}"),
            "dup_paragraph_chars",
        ),
        (
            "Ferry at noon.\nFerry at noon.\nShops open at nine.".into(),
            "dup_lines",
        ),
        (
            format!("{long}\nShort one.\nAnother.\n{long}"),
            "dup_line_chars",
        ),
        (
            "red fox jumps, red fox sleeps, red fox eats, red fox runs, red fox hides.".into(),
            "top_n_gram",
        ),
        (
            format!(
                "{ORDINARY} {}",
                &ORDINARY[..ORDINARY.find("Children").unwrap()]
            ),
            "dup_n_gram",
        ),
    ];
    for (text, name) in &cases {
        assert_eq!(dropped_by(&rule, text), format!("gopher_repetition.{name}"));
    }
}

#[test]
fn c4_document_rules_fire_on_their_documents() {
    let rule = C4::default();
    let lorem = format!("{ORDINARY} Lorem ipsum dolor sit amet.");
    let curly = format!("{ORDINARY} Set the style to {{ color: red }} now.");
    let few = "The ferry leaves at noon. It returns at six.\nThe shops close early.";
    assert_eq!(dropped_by(&rule, &lorem), "c4.banned_document_phrase");
    assert_eq!(dropped_by(&rule, &curly), "c4.curly_bracket");
    assert_eq!(dropped_by(&rule, few), "c4.min_sentences");
}

#[test]
fn c4_clean_drops_each_line_rule_with_its_reason() {
    let rule = C4::default();
    let giant_word = "x".repeat(1_001);
    let text = format!(
        "{ORDINARY}\nA word {giant_word} here.\nNo final mark here\nToo short.\n\
         Please enable JavaScript to continue.\nRead our privacy policy before you go."
    );
    let (kept, dropped) = rule.clean(&text);
    assert_eq!(kept, ORDINARY);
    let rules: Vec<&str> = dropped
        .iter()
        .map(|reason| reason.split(": ").nth(1).unwrap_or_default())
        .collect();
    assert_eq!(
        rules,
        [
            "c4.long_word",
            "c4.no_terminal_punctuation",
            "c4.few_words",
            "c4.banned_phrase",
            "c4.banned_phrase"
        ]
    );
    assert!(dropped[0].starts_with("line 2: "));
    assert_eq!(rule.check(&text), Verdict::Keep);
}

#[test]
fn fineweb_each_rule_fires_on_its_document() {
    let rule = FineWeb::default();
    let unpunctuated = "The river town wakes slowly in the winter\n\
        By seven the smell of bread reaches the harbour\n\
        Children walk to school along the old wall\n\
        Most shops stay closed until nine in the morning\n\
        In the afternoon the light fades early again";
    let short = "The ferry left.\nGulls sat still.\nBread was warm.\nShops opened.\n\
        People gathered in the small library to read and talk.";
    let duplicated = format!("{ORDINARY}\nThe ferry leaves the harbour at noon.\n{ORDINARY}");
    let listy = "Characteristically counterproductive\n\
        Internationalization responsibilities\n\
        Incomprehensibility notwithstanding\n\
        Uncharacteristically straightforward.";
    assert_eq!(dropped_by(&rule, ""), "fineweb.empty");
    assert_eq!(dropped_by(&rule, unpunctuated), "fineweb.line_punctuation");
    assert_eq!(dropped_by(&rule, short), "fineweb.short_lines");
    assert_eq!(
        dropped_by(&rule, &duplicated),
        "fineweb.duplicate_line_chars"
    );
    assert_eq!(dropped_by(&rule, listy), "fineweb.newline_ratio");
}

#[test]
fn short_form_each_rule_fires_on_its_post() {
    let rule = ShortForm::default();
    let post = "Lovely light over the bay tonight, worth the walk.";
    let links = "Look at this today friends \
        https://example.com/a/very/long/path/to/some/page/index.html @harbourmaster@town.social";
    let hashes = "Lovely sunset over the bay tonight #sunset #bay #sky #photo";
    let repeated_thread = repeat("Ferry cancelled again, stay home today.\n", 9);
    assert_eq!(rule.check(post), Verdict::Keep);
    assert_eq!(
        dropped_by(&rule, "@alice see https://example.com nice post"),
        "short_form.min_words"
    );
    assert_eq!(dropped_by(&rule, links), "short_form.link_chars");
    assert_eq!(dropped_by(&rule, hashes), "short_form.hash_ratio");
    assert_eq!(
        dropped_by(&rule, &repeated_thread),
        "gopher_repetition.dup_lines"
    );
    let short_repeat = "Ferry cancelled.\n\nFerry cancelled.\n\nStay home today, friends.";
    assert_eq!(rule.check(short_repeat), Verdict::Keep);
}

#[test]
fn length_bounds_fire_below_and_above() {
    let bounds = LengthBounds {
        min_words: 3,
        max_words: 5,
    };
    assert_eq!(dropped_by(&bounds, "Two words"), "length_bounds.min_words");
    assert_eq!(
        dropped_by(&bounds, "one two three four five six"),
        "length_bounds.max_words"
    );
    assert_eq!(bounds.check("one two three"), Verdict::Keep);
}
