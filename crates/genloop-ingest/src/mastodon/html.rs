//! Post HTML → plain text with html5ever's WHATWG tokenizer (docs/formulas.md §9): tags
//! are stripped, entities decoded, and the structure Mastodon writes becomes lines.
//!
//! - Paragraphs (`<p>`, and `<div>`, `<blockquote>`, `<pre>`, lists, headings) are
//!   separated by a blank line; `<br>` is a line break. Runs of white space inside a
//!   paragraph collapse to one space, as a browser shows them (not inside `<pre>`).
//! - A mention (`<span class="h-card">`, or `<a class="u-url mention">`) becomes the
//!   placeholder [`MENTION`]: who was addressed is not the author's text and names
//!   another person.
//! - A hashtag link (`<a class="mention hashtag" rel="tag">`) keeps its text
//!   (`#rust`) and is collected into [`PlainText::hashtags`].
//! - Link text is kept. Mastodon shortens long links with `invisible` and `ellipsis`
//!   spans; all of them are kept, so the text holds the full address.
//! - `<span class="quote-inline">` (the "RE: link" of a quote post, a copy of what
//!   is quoted) and the content of `<script>`, `<style>` and `<template>` are dropped.
//!
//! Mastodon sanitizes post HTML, so the tokenizer with a stack of open elements is
//! enough; there is no tree to build. An end tag closes the nearest open element of
//! its name (unmatched ones are ignored), and `<p>` closes an open `<p>`.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What a mention becomes.
pub const MENTION: &str = "@user";

/// Elements without content or end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements that start and end a paragraph.
const BLOCKS: [&str; 17] = [
    "p",
    "div",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "section",
    "article",
    "figure",
];

/// Post or profile text and what was found in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlainText {
    pub text: String,
    /// Hashtags linked in the HTML, lower case, without `#`, first use first.
    pub hashtags: Vec<String>,
}

/// The text of Mastodon HTML (module docs), trimmed.
pub fn to_text(html: &str) -> PlainText {
    let tokenizer = Tokenizer::new(
        Sink(RefCell::new(Converter::default())),
        TokenizerOpts::default(),
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    // The sink never asks to stop for a script, so one feed reads everything.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let converter = std::mem::take(&mut *tokenizer.sink.0.borrow_mut());
    converter.finish()
}

/// Hashtags of profile HTML (a bio, a profile field): linked ones, and `#word` in
/// the plain text too, since a field value may hold an unlinked tag. Lower case,
/// without `#`.
pub(crate) fn profile_hashtags(html: &str) -> Vec<String> {
    let plain = to_text(html);
    let mut tags = plain.hashtags;
    for tag in scan_hashtags(&plain.text) {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// `#word` in text: `#` at the start or after a character that cannot be inside a
/// word or an address, then letters, digits or `_` with at least one letter.
fn scan_hashtags(text: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let starts = c == '#'
            && previous.is_none_or(|p| !(p.is_alphanumeric() || p == '_' || p == '/' || p == '&'));
        previous = Some(c);
        if !starts {
            continue;
        }
        let word: String = text[at + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if word.chars().any(char::is_alphabetic) {
            tags.push(word.to_lowercase());
        }
        while chars
            .next_if(|(_, c)| c.is_alphanumeric() || *c == '_')
            .is_some()
        {}
        previous = Some('a');
    }
    tags
}

struct Sink(RefCell<Converter>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        let mut converter = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                return converter.start(&tag);
            }
            Token::TagToken(tag) => converter.end(&tag.name),
            Token::CharacterTokens(text) => converter.text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// What an open element does to its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Inline,
    /// A paragraph: a blank line before and after.
    Block,
    Pre,
    ListItem,
    /// Content dropped (mentions, quote-inline, scripts).
    Dropped,
    /// A hashtag link: its text is collected.
    Hashtag,
}

#[derive(Debug)]
struct Frame {
    name: String,
    role: Role,
}

#[derive(Debug, Default)]
struct Converter {
    out: String,
    open: Vec<Frame>,
    /// Open elements whose content is dropped.
    dropped: usize,
    pre: usize,
    /// Line breaks owed before the next text (2: a blank line).
    pending_break: usize,
    /// White space seen since the last character written.
    pending_space: bool,
    hashtags: Vec<String>,
    hashtag_text: Option<String>,
}

impl Converter {
    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if VOID.contains(&name) {
            if name == "br" && self.dropped == 0 {
                self.line_break();
            }
            return TokenSinkResult::Continue;
        }
        if name == "p" && self.open.iter().any(|frame| frame.name == "p") {
            self.end(&tag.name);
        }
        let classes = attribute(tag, "class").unwrap_or_default();
        let has_class = |wanted: &str| classes.split_ascii_whitespace().any(|c| c == wanted);
        let hashtag = name == "a"
            && (has_class("hashtag") || attribute(tag, "rel").is_some_and(|rel| rel == "tag"));
        let mention = !hashtag
            && ((name == "span" && has_class("h-card")) || (name == "a" && has_class("mention")));
        let (role, result) = match name {
            "script" => (Role::Dropped, TokenSinkResult::RawData(RawKind::ScriptData)),
            "style" => (Role::Dropped, TokenSinkResult::RawData(RawKind::Rawtext)),
            "template" => (Role::Dropped, TokenSinkResult::Continue),
            "span" if has_class("quote-inline") => (Role::Dropped, TokenSinkResult::Continue),
            _ if mention => {
                if self.dropped == 0 {
                    self.write(MENTION);
                }
                (Role::Dropped, TokenSinkResult::Continue)
            }
            _ if hashtag => {
                self.hashtag_text = Some(String::new());
                (Role::Hashtag, TokenSinkResult::Continue)
            }
            "pre" => (Role::Pre, TokenSinkResult::Continue),
            "li" => (Role::ListItem, TokenSinkResult::Continue),
            _ if BLOCKS.contains(&name) => (Role::Block, TokenSinkResult::Continue),
            _ => (Role::Inline, TokenSinkResult::Continue),
        };
        match role {
            Role::Dropped => self.dropped += 1,
            Role::Pre => {
                self.pre += 1;
                self.want_break(2);
            }
            Role::Block => self.want_break(2),
            Role::ListItem => self.want_break(1),
            Role::Inline | Role::Hashtag => {}
        }
        self.open.push(Frame {
            name: name.to_string(),
            role,
        });
        result
    }

    fn end(&mut self, name: &str) {
        if name == "br" {
            // `</br>` is read as `<br>` (WHATWG "in body" insertion mode).
            if self.dropped == 0 {
                self.line_break();
            }
            return;
        }
        let Some(position) = self.open.iter().rposition(|frame| frame.name == name) else {
            return;
        };
        while self.open.len() > position {
            let frame = self.open.pop().expect("position is inside the stack");
            match frame.role {
                Role::Dropped => self.dropped -= 1,
                Role::Pre => {
                    self.pre -= 1;
                    self.want_break(2);
                }
                Role::Block => self.want_break(2),
                Role::ListItem => self.want_break(1),
                Role::Hashtag => {
                    let tag = self.hashtag_text.take().unwrap_or_default();
                    let tag = tag.trim().trim_start_matches('#').to_lowercase();
                    if !tag.is_empty() && !self.hashtags.contains(&tag) {
                        self.hashtags.push(tag);
                    }
                }
                Role::Inline => {}
            }
        }
    }

    fn text(&mut self, text: &str) {
        if self.dropped > 0 {
            return;
        }
        if let Some(tag) = &mut self.hashtag_text {
            tag.push_str(text);
        }
        if self.pre > 0 {
            self.write(text);
            return;
        }
        for word in text.split_inclusive(|c: char| c.is_ascii_whitespace()) {
            let trimmed = word.trim_end_matches(|c: char| c.is_ascii_whitespace());
            if !trimmed.is_empty() {
                self.write(trimmed);
            }
            if trimmed.len() < word.len() {
                self.pending_space = true;
            }
        }
    }

    /// Writes `text` after the breaks and the space owed.
    fn write(&mut self, text: &str) {
        if self.pending_break > 0 {
            self.flush_break();
        } else if self.pending_space && !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.out.push_str(text);
    }

    fn want_break(&mut self, newlines: usize) {
        if self.dropped == 0 {
            self.pending_break = self.pending_break.max(newlines);
        }
    }

    fn flush_break(&mut self) {
        if !self.out.is_empty() {
            self.trim_line_end();
            let have = self.out.len() - self.out.trim_end_matches('\n').len();
            for _ in have..self.pending_break {
                self.out.push('\n');
            }
        }
        self.pending_break = 0;
        self.pending_space = false;
    }

    fn line_break(&mut self) {
        self.flush_break();
        self.trim_line_end();
        self.out.push('\n');
        self.pending_space = false;
    }

    fn trim_line_end(&mut self) {
        let kept = self.out.trim_end_matches(' ').len();
        self.out.truncate(kept);
    }

    fn finish(self) -> PlainText {
        let text = self
            .out
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n");
        PlainText {
            text: text.trim().to_string(),
            hashtags: self.hashtags,
        }
    }
}

fn attribute<'a>(tag: &'a Tag, name: &str) -> Option<&'a str> {
    tag.attrs
        .iter()
        .find(|attribute| &*attribute.name.local == name)
        .map(|attribute| &*attribute.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        to_text(html).text
    }

    #[test]
    fn paragraphs_and_line_breaks() {
        assert_eq!(text("<p>one<br>two</p><p>three</p>"), "one\ntwo\n\nthree");
        assert_eq!(text("<p>a<br/><br/>b</p>"), "a\n\nb");
        assert_eq!(text("<p>first<p>second"), "first\n\nsecond");
        assert_eq!(text("<p>  spaced \n  out  </p>"), "spaced out");
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            text("<p>fish &amp; chips &lt;3 it&#39;s &quot;ok&quot;</p>"),
            "fish & chips <3 it's \"ok\""
        );
    }

    #[test]
    fn mentions_become_a_placeholder() {
        let html = r#"<p><span class="h-card" translate="no"><a href="https://example.social/@ana" class="u-url mention">@<span>ana</span></a></span> hello</p>"#;
        assert_eq!(text(html), "@user hello");
        assert_eq!(
            text(r#"<p>hi <a class="u-url mention" href="x">@<span>bo</span></a>!</p>"#),
            "hi @user!"
        );
    }

    #[test]
    fn hashtags_are_kept_and_collected() {
        let html = r##"<p>on <a href="https://example.social/tags/Rust" class="mention hashtag" rel="tag">#<span>Rust</span></a> and <a rel="tag" href="t">#Tea</a></p>"##;
        let plain = to_text(html);
        assert_eq!(plain.text, "on #Rust and #Tea");
        assert_eq!(plain.hashtags, vec!["rust", "tea"]);
    }

    #[test]
    fn shortened_links_keep_the_full_address() {
        let html = r#"<p>see <a href="https://example.org/a/long/path" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">example.org/a/lo</span><span class="invisible">ng/path</span></a> now</p>"#;
        assert_eq!(text(html), "see https://example.org/a/long/path now");
    }

    #[test]
    fn quotes_scripts_and_styles_are_dropped() {
        let html = r#"<p>mine<span class="quote-inline"><br>RE: <a href="q">quoted</a></span></p><script>if (a < b) { x("</p>") }</script><style>p { color: red }</style><p>end</p>"#;
        assert_eq!(text(html), "mine\n\nend");
    }

    #[test]
    fn preformatted_text_and_lists_keep_their_lines() {
        assert_eq!(
            text("<pre>fn main() {\n    go();\n}</pre><ul><li>one</li><li>two</li></ul>"),
            "fn main() {\n    go();\n}\n\none\ntwo"
        );
    }

    #[test]
    fn dropped_blocks_leave_no_blank_lines() {
        // In a <div>: a <p> would close an open <p> and the span with it (WHATWG).
        assert_eq!(
            text("<div>a<span class=\"quote-inline\"><div>x</div><div>y</div></span>b</div>"),
            "ab"
        );
    }

    #[test]
    fn profile_hashtags_include_unlinked_ones() {
        let tags = profile_hashtags("<p>Gardener. #NoAI, <a rel=\"tag\">#plants</a> see https://x.org/#top and issue #12</p>");
        assert_eq!(tags, vec!["plants", "noai"]);
    }
}
