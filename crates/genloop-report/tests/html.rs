//! The HTML report: the summary table, every figure inline, the config, provenance
//! and sample texts; every user or corpus text escaped; nothing fetched from the
//! network; the same bytes every time.

mod common;

use common::{fixture, fixture_named, IMG, SCRIPT};
use genloop_report::{figures, html};

#[test]
fn the_report_has_the_summary_table_and_every_plot_inline() {
    let data = fixture();
    let page = html(&data).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    let table = page
        .split("<table id=\"summary-table\">")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("a summary table");
    for metric in &data.metrics {
        assert!(
            table.contains(&metric.name),
            "summary names {}",
            metric.name
        );
    }
    for arm in &data.arms {
        // One row per metric and arm.
        assert_eq!(
            table.matches(&format!("</span>{}</td>", arm.name)).count(),
            data.metrics.len()
        );
    }
    // Generation 0 vs the last, median with its interval: the replace arm's variance
    // falls from 1 to 0.5⁵ = 0.03125 (fixture intervals are ±20 %).
    assert!(
        table.contains("<td class=\"number\">1 [0.8, 1.2]</td>"),
        "{table}"
    );
    assert!(
        table.contains("<td class=\"number\">0.03125 [0.025, 0.0375]</td>"),
        "{table}"
    );
    // The closed form at the last generation: 1.1 × 0.5⁵.
    assert!(
        table.contains("<td class=\"number\">0.03438</td>"),
        "{table}"
    );
    let all = figures(&data);
    assert_eq!(
        page.matches("<svg ").count(),
        all.len(),
        "one inline SVG per figure"
    );
    for figure in &all {
        let anchor = format!(
            "<figure class=\"plot\" id=\"plot-{}\" data-file=\"plots/{}.svg\">\n<svg ",
            figure.id, figure.id
        );
        assert!(page.contains(&anchor), "figure {} inline", figure.id);
    }
    for section in [
        "provenance",
        "summary",
        "metrics",
        "gate",
        "composition",
        "text",
        "config",
    ] {
        assert!(
            page.contains(&format!("<section id=\"{section}\">")),
            "section {section}"
        );
    }
}

#[test]
fn provenance_comes_from_the_stored_run() {
    let data = fixture();
    let page = html(&data).unwrap();
    for needle in [
        "0123456789abcdef",
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:09Z",
        "<dd>7</dd>",
        "genloop 0.1.0",
    ] {
        assert!(page.contains(needle), "provenance shows {needle}");
    }
    let mut unfinished = fixture();
    unfinished.provenance.finished_at = None;
    assert!(html(&unfinished).unwrap().contains("not finished"));
    assert!(!html(&unfinished).unwrap().contains("class=\"unfinished\""));
    unfinished.unfinished = Some("unfinished run: arm <b> has 3 of 20 replicates".into());
    let page = html(&unfinished).unwrap();
    let banner = page.find("class=\"unfinished\"").expect("a banner");
    assert!(
        banner < page.find("id=\"provenance\"").unwrap(),
        "before everything"
    );
    assert!(page.contains("arm &lt;b&gt; has 3 of 20"), "escaped");
}

#[test]
fn the_same_results_give_the_same_bytes() {
    // No clock, no randomness, no hash-map order: a report regenerated from the same
    // results is identical.
    assert_eq!(html(&fixture()).unwrap(), html(&fixture()).unwrap());
}

#[test]
fn sample_texts_and_text_charts_appear_only_for_text_runs() {
    let data = fixture();
    let page = html(&data).unwrap();
    assert!(page.contains("Sampled documents: replace"));
    assert!(page.contains("<h4>generation 5 (replicate 0)</h4>"));
    assert!(page.contains("generation 5 says &lt;script&gt;"));
    let mut numeric = fixture();
    for arm in &mut numeric.arms {
        arm.perplexity.clear();
        arm.samples.clear();
    }
    let page = html(&numeric).unwrap();
    assert!(!page.contains("<section id=\"text\">"));
    assert!(!page.contains("Sampled documents"));
}

#[test]
fn user_and_corpus_text_is_escaped_never_markup() {
    // The payloads sit in the config name and text, an arm name, a gate reason and
    // sampled documents.
    let mut data = fixture_named([SCRIPT, IMG, "gated"]);
    data.name = format!("run {SCRIPT} {IMG}");
    let page = html(&data).unwrap();
    assert!(!page.contains("<script"), "a <script> element");
    assert!(!page.contains("<img"), "an <img> element");
    assert!(
        !page.contains("onerror=alert(1)>"),
        "an attribute breaking out of a tag"
    );
    // Shown as text: in the title, the tables, the config and the samples (minijinja
    // escapes `/` too), and in the SVG legends (plotters escapes `<`, `>`, `&`, quotes).
    assert!(page.contains("<title>genloop report: run &lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page
        .contains("<pre>name = &quot;fixture&quot;\n# &lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(page.contains("holdout_nll worse than the best &lt;script&gt;"));
    assert!(
        page.contains("<text") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;\n</text>")
    );
}

/// Every tag of `page` (`<` … `>`): escaped text has no raw `<`, so these are the
/// real elements.
fn tags(page: &str) -> Vec<&str> {
    page.split('<')
        .skip(1)
        .map(|chunk| chunk.split('>').next().unwrap_or(""))
        .collect()
}

#[test]
fn nothing_is_fetched_from_the_network() {
    // Corpus text may mention URLs (as text); markup never points anywhere.
    let mut data = fixture();
    data.arms[0].samples[0]
        .texts
        .push("see https://example.org/x.png and <img src=\"https://example.org/y.png\">".into());
    let page = html(&data).unwrap();
    for tag in tags(&page) {
        let name = tag
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        for element in [
            "script", "link", "img", "image", "iframe", "object", "embed", "video", "audio",
            "source", "use",
        ] {
            assert_ne!(name, element, "a <{element}> element: <{tag}>");
        }
        for attribute in [
            " src=",
            " href=",
            " xlink:href=",
            " srcset=",
            " action=",
            " poster=",
        ] {
            assert!(!tag.contains(attribute), "a fetching attribute in <{tag}>");
        }
        // The SVG namespace is a name, never fetched.
        let without_namespace = tag.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!without_namespace.contains("://"), "a URL in <{tag}>");
        assert!(!tag.contains("url("), "a CSS url() in <{tag}>");
    }
    let style = page
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .unwrap();
    assert!(!style.contains("url(") && !style.contains("@import") && !style.contains("://"));
    // And a Content-Security-Policy forbids fetches and scripts should any slip in.
    assert!(
        page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
}
