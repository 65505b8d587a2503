//! genloop-report: the plots and the self-contained HTML report of a run, as pure
//! functions from results to bytes (STYLE.md 7). The caller aggregates a run into
//! [`ReportData`] and writes the bytes; nothing here touches files or the clock, so
//! the report of a finished run regenerates byte for byte.
//!
//! What it shows (the evaluate and gate steps of the loop, and the mix):
//! * per metric, each arm's median across replicates with a 95 % band, the mean and
//!   the closed-form expectation (dashed) where one applies, and crosses where the
//!   gate rejected a generation;
//! * the share of replicates the gate rejected, per generation;
//! * the training set of each generation by pool and generation of origin;
//! * for text runs, histograms of per-sample perplexity under the generation-0 model
//!   and a few sampled documents per generation.
//!
//! Text in PNGs is drawn from DejaVu Sans bundled by the `dejavu` crate (see
//! [`fonts`]); SVGs keep their text as text.
//!
//! ```
//! use genloop_report::{figures, html, ArmData, MetricInfo, Point, ReportData};
//!
//! let point = |v: f64| Point { median: v, median_ci95: [v - 0.1, v + 0.1], mean: v,
//!                              ci95: [v - 0.1, v + 0.1], theory: None, n: 10 };
//! let mut arm = ArmData { name: "replace".into(), replicates: 10, ..Default::default() };
//! arm.series.insert("variance_ratio".into(), vec![point(1.0), point(0.9), point(0.8)]);
//! let data = ReportData {
//!     name: "demo".into(),
//!     metrics: vec![MetricInfo { name: "variance_ratio".into(), unit: "ratio".into(), ..Default::default() }],
//!     arms: vec![arm],
//!     ..Default::default()
//! };
//! let plots = figures(&data);
//! assert!(plots[0].svg(&data).unwrap().starts_with("<svg"));
//! assert!(html(&data).unwrap().contains("variance_ratio"));
//! ```

mod charts;
mod data;
pub mod fonts;
mod format;
mod html;
mod palette;

pub use charts::sweep::{
    sweep_figures, SweepData, SweepFigure, SweepParameter, SweepPoint, SweepSeries,
};
pub use charts::{figures, Figure};
pub use data::{
    ArmData, CompositionPart, CurationTotal, MetricInfo, Point, Provenance, Rejection, ReportData,
    Samples, Scale, Scores,
};
pub use format::{file_safe, number, selected_generations};
pub use palette::{arm_colour, OKABE_ITO};

/// What can go wrong while rendering. Nothing here is the user's input at fault: a
/// failure is a bug or a broken bundled font.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("drawing figure `{figure}`: {message}")]
    Draw { figure: String, message: String },
    #[error("encoding figure `{figure}` as PNG: {message}")]
    Png { figure: String, message: String },
    #[error("font: {0}")]
    Font(String),
    #[error("HTML template: {0}")]
    Template(#[from] minijinja::Error),
}

/// The whole report as one self-contained HTML document, every figure inline.
pub fn html(data: &ReportData) -> Result<String, Error> {
    let figures = figures(data);
    let svgs = figures
        .iter()
        .map(|f| f.svg(data))
        .collect::<Result<Vec<_>, _>>()?;
    html::render(data, &figures, &svgs)
}

/// [`html`] with `figures` already rendered as SVG (`svgs[i]` is `figures[i]`'s), so a
/// caller that also writes the SVG files renders each figure once.
pub fn html_with_svgs(
    data: &ReportData,
    figures: &[Figure],
    svgs: &[String],
) -> Result<String, Error> {
    html::render(data, figures, svgs)
}

/// A sweep's report (final-generation metrics against each swept parameter) as one
/// self-contained HTML document, every figure inline.
pub fn sweep_html(data: &SweepData) -> Result<String, Error> {
    let figures = sweep_figures(data);
    let svgs = figures
        .iter()
        .map(|f| f.svg(data))
        .collect::<Result<Vec<_>, _>>()?;
    html::render_sweep(data, &figures, &svgs)
}

/// [`sweep_html`] with `figures` already rendered as SVG (`svgs[i]` is `figures[i]`'s).
pub fn sweep_html_with_svgs(
    data: &SweepData,
    figures: &[SweepFigure],
    svgs: &[String],
) -> Result<String, Error> {
    html::render_sweep(data, figures, svgs)
}
