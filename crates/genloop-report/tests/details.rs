//! Issue 12's report details: arms without data get no summary rows and no legend
//! entry, the detector's AUROC has its chance line, an empty chart says why.

mod common;

use common::{fixture, point, texts};
use genloop_report::{figures, MetricInfo, Point, ReportData, Scale};

/// The fixture with `detector_auroc` measured by the last arm only: the others
/// stored n = 0 points (no detector), as the store does.
fn with_detector() -> ReportData {
    let mut data = fixture();
    data.metrics.push(MetricInfo {
        name: "detector_auroc".into(),
        unit: "probability".into(),
        direction: "higher_is_better".into(),
        description: "area under the ROC (0.5 = chance)".into(),
        scale: Scale::Linear,
    });
    for (i, arm) in data.arms.iter_mut().enumerate() {
        let series: Vec<Point> = (0..6)
            .map(|g| match i {
                2 => point(0.6 + 0.05 * g as f64, None),
                _ => Point {
                    n: 0,
                    ..point(f64::NAN, None)
                },
            })
            .collect();
        arm.series.insert("detector_auroc".into(), series);
    }
    data
}

#[test]
fn detector_auroc_has_a_chance_line_and_only_arms_with_data() {
    let data = with_detector();
    let all = figures(&data);
    let figure = all
        .iter()
        .find(|f| f.id == "metric-detector_auroc")
        .unwrap();
    let labels = texts(&figure.svg(&data).unwrap());
    assert!(labels.iter().any(|t| t == "chance (0.5)"), "{labels:?}");
    assert!(labels.iter().any(|t| t == "gated"), "{labels:?}");
    assert!(
        !labels.iter().any(|t| t == "replace"),
        "no data, no legend entry: {labels:?}"
    );
    assert!(
        figure.caption.contains("0.5, chance level"),
        "{}",
        figure.caption
    );
}

#[test]
fn summary_rows_without_data_are_left_out() {
    // Text reports opened with tables of `n/a [n/a, n/a]` rows.
    let data = with_detector();
    let html = genloop_report::html(&data).unwrap();
    assert!(
        !html.contains("n/a [n/a, n/a]"),
        "a row of an arm without data"
    );
}

#[test]
fn an_empty_chart_says_why() {
    // categorical-zipf's KL plot was an empty frame with no word why.
    let mut data = fixture();
    for arm in &mut data.arms {
        for p in arm.series.get_mut("holdout_nll").unwrap() {
            *p = point(f64::INFINITY, None);
        }
    }
    let all = figures(&data);
    let figure = all.iter().find(|f| f.id == "metric-holdout_nll").unwrap();
    assert!(
        figure.caption.contains("every median is infinite"),
        "{}",
        figure.caption
    );
}
