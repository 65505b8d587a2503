//! The tokenizer's special cases, following the kinds of exception spaCy 3's English
//! tokenizer documents: contractions split into a word and a clitic (`don't` → `do`
//! `n't`, `we're` → `we` `'re`, also written without the apostrophe: `dont` → `do`
//! `nt`), times (`5pm` → `5` `pm`), and abbreviations or emoticons kept whole (`e.g.`,
//! `Mr.`, `a.`, `:-)`), each also with a typographic apostrophe (’).
//!
//! A chunk of text that is a special case is split as the table says and never by the
//! punctuation rules; the pieces of an entry concatenate to its key.

use std::sync::OnceLock;

use super::super::text::FastMap;

/// Special case → its pieces. Single-piece entries protect a chunk from being split.
pub(super) type Table = FastMap<String, Vec<String>>;

/// Words that look like a contraction written without its apostrophe but are ordinary
/// words ("well" is not "we ll").
const NOT_CONTRACTIONS: [&str; 8] = [
    "ill", "its", "hell", "shell", "shed", "were", "well", "whore",
];

/// Abbreviations (with their final period) kept whole: titles, company forms, Latin
/// abbreviations, months and US states in their dotted forms.
const ABBREVIATIONS: &str = "a.m. p.m. Adm. Bros. co. Co. Corp. D.C. Dr. e.g. E.g. E.G. Gen. \
Gov. i.e. I.e. I.E. Inc. Jr. Ltd. Md. Messrs. Mo. Mont. Mr. Mrs. Ms. Mt. Ph.D. Prof. Rep. Rev. \
Sen. St. vs. v.s. Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec. Ak. Ala. Ariz. \
Ark. Calif. Colo. Conn. Del. Fla. Ga. Ia. Id. Ill. Ind. Kan. Kans. Ky. La. Mass. Mich. Minn. \
Miss. N.C. N.D. N.H. N.J. N.M. N.Y. Neb. Nebr. Nev. Okla. Ore. Pa. S.C. Tenn. Va. Wash. Wis.";

/// Other chunks kept whole: emoticons, `C++`, `and/or`, clitics standing alone,
/// dropped-g forms with their apostrophe.
const KEPT_WHOLE: &str = ":) :-) :)) :-)) :))) :-))) (: (-: =) (= :] :-] [: [-: [= =] :o) (o: :} \
:-} 8) 8-) (-8 ;) ;-) (; (-; :( :-( :(( :-(( :((( :-((( ): )-: =( >:( :') :'-) :'( :'-( :/ :-/ \
=/ :| =| :-| ]= =[ :1 :P :-P :p :-p :O :-O :o :-o :0 :-0 :() >:o :* :-* :3 :-3 =3 :> :-> :X :-X \
:x :-x :D :-D ;D ;-D =D 8D 8-D xD XD xDD XDD <3 <33 <333 </3 ^_^ ^__^ ^___^ -_- -__- (-_-) o.O O.o \
o.o O.O o_O O_o o_o O_O o_0 0_o 0_0 o.0 0.o 0.0 v.v V.V v_v V_V >.< <.< >.> ._. (._.) (^_^) \
(*_*) (>_<) @_@ ;_; C++ and/or w/o ' '' 's 'S 'd 'll 're 'em 'bout 'cause 'Cause 'cos 'Cos 'coz \
'Coz 'cuz 'Cuz em ll nuff 'nuff ma'am Ma'am o'clock O'clock";

/// The table, built once.
pub(super) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(build)
}

/// The longest key in bytes, so that longer chunks skip the lookup.
pub(super) fn longest_key() -> usize {
    static LONGEST: OnceLock<usize> = OnceLock::new();
    *LONGEST.get_or_init(|| table().keys().map(String::len).max().unwrap_or(0))
}

fn build() -> Table {
    let mut table = Table::default();
    pronoun_contractions(&mut table);
    verb_contractions(&mut table);
    other_words(&mut table);
    for abbreviation in ABBREVIATIONS.split(' ').chain(KEPT_WHOLE.split(' ')) {
        whole(&mut table, abbreviation);
    }
    for letter in ('a'..='z').chain(['ä', 'ö', 'ü']) {
        whole(&mut table, &format!("{letter}."));
    }
    for hour in 1..=12 {
        for period in ["a.m.", "am", "p.m.", "pm"] {
            table.insert(
                format!("{hour}{period}"),
                vec![hour.to_string(), period.to_string()],
            );
        }
    }
    table.retain(|key, _| !NOT_CONTRACTIONS.contains(&key.to_lowercase().as_str()));
    with_typographic_apostrophes(table)
}

fn whole(table: &mut Table, word: &str) {
    table.insert(word.to_string(), vec![word.to_string()]);
}

fn title_case(word: &str) -> String {
    let mut title = word.to_string();
    title[..1].make_ascii_uppercase();
    title
}

/// A split written as its pieces separated by '|' (`do|n't`), and the same with the
/// first piece title-cased (`Do|n't`).
fn add_split(table: &mut Table, spec: &str) {
    for spec in [spec.to_string(), title_case(spec)] {
        let pieces: Vec<String> = spec.split('|').map(String::from).collect();
        table.insert(pieces.concat(), pieces);
    }
}

/// `word` and `Word`, each followed by every clitic sequence in `clitics` (pieces
/// separated by '|').
fn add_cased(table: &mut Table, word: &str, clitics: &[String]) {
    for clitic in clitics {
        add_split(table, &format!("{word}|{clitic}"));
    }
}

/// Each clitic sequence with its apostrophes, and the same written without them.
fn both_spellings(clitics: &[&str]) -> Vec<String> {
    let bare = clitics.iter().map(|c| c.replace('\'', ""));
    clitics.iter().map(|c| c.to_string()).chain(bare).collect()
}

fn pronoun_contractions(table: &mut Table) {
    add_cased(table, "i", &both_spellings(&["'m", "'m|a"]));
    let will_would = both_spellings(&["'ll", "'ll|'ve", "'d", "'d|'ve"]);
    for pronoun in ["i", "you", "he", "she", "it", "we", "they"] {
        add_cased(table, pronoun, &will_would);
    }
    for pronoun in ["i", "you", "we", "they"] {
        add_cased(table, pronoun, &both_spellings(&["'ve"]));
    }
    for pronoun in ["you", "we", "they"] {
        add_cased(table, pronoun, &both_spellings(&["'re"]));
    }
    for pronoun in ["he", "she", "it"] {
        add_cased(table, pronoun, &both_spellings(&["'s"]));
    }
    for word in [
        "who", "what", "when", "where", "why", "how", "there", "that", "this", "these", "those",
    ] {
        add_cased(table, word, &will_would);
        let plural = matches!(word, "these" | "those");
        let singular = matches!(word, "that" | "this");
        if !plural {
            add_cased(table, word, &both_spellings(&["'s"]));
        }
        if !singular {
            add_cased(table, word, &both_spellings(&["'re", "'ve"]));
        }
    }
}

fn verb_contractions(table: &mut Table) {
    let not_have = both_spellings(&["n't", "n't|'ve"]);
    for verb in [
        "ca", "could", "do", "does", "did", "had", "may", "might", "must", "need", "ought", "sha",
        "should", "wo", "would",
    ] {
        add_cased(table, verb, &not_have);
    }
    for verb in ["could", "might", "must", "should", "would"] {
        add_cased(table, verb, &both_spellings(&["'ve"]));
    }
    for verb in ["ai", "are", "is", "was", "were", "have", "has", "dare"] {
        add_cased(table, verb, &both_spellings(&["n't"]));
    }
}

fn other_words(table: &mut Table) {
    for spec in [
        "y'|all",
        "y|all",
        "how|'d|'y",
        "not|'ve",
        "not|ve",
        "can|not",
        "gon|na",
        "got|ta",
        "let|'s",
        "c'm|on",
    ] {
        add_split(table, spec);
    }
    for word in [
        "doin", "goin", "nothin", "nuthin", "ol", "somethin", "lovin", "havin",
    ] {
        for base in [word.to_string(), title_case(word)] {
            whole(table, &base);
            whole(table, &format!("{base}'"));
        }
    }
}

/// Every entry with an apostrophe also written with ’.
fn with_typographic_apostrophes(mut table: Table) -> Table {
    let typographic: Vec<(String, Vec<String>)> = table
        .iter()
        .filter(|(key, _)| key.contains('\''))
        .map(|(key, pieces)| {
            let curl = |s: &String| s.replace('\'', "’");
            (curl(key), pieces.iter().map(curl).collect())
        })
        .collect();
    table.extend(typographic);
    table
}
