//! The report's figures. Each is drawn once, generically over a plotters backend, and
//! rendered to SVG (text kept as text) or to PNG (text drawn from the bundled font).

mod composition;
mod gate;
mod histogram;
pub(crate) mod metric;
pub(crate) mod sweep;

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::data::ReportData;
use crate::format::{file_safe, number};
use crate::{fonts, palette, Error};

/// Width of the legend panel at the right of every chart, in pixels.
const LEGEND_WIDTH: u32 = 240;

/// One figure of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// File stem and HTML id: `metric-variance_ratio`, `composition-0-replace`, …
    pub id: String,
    pub title: String,
    /// What the marks mean, for the HTML caption.
    pub caption: String,
    /// The report section it belongs to: `metrics`, `gate`, `composition`, `text`.
    pub section: &'static str,
    pub width: u32,
    pub height: u32,
    chart: Chart,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Chart {
    Metric(usize),
    Gate,
    Composition(usize),
    Perplexity(usize),
}

/// Every figure the data supports, in report order: one per metric, the gate's
/// rejections (when any), one composition chart per arm (when stored), and one
/// perplexity histogram per arm (text runs).
pub fn figures(data: &ReportData) -> Vec<Figure> {
    let mut out = Vec::new();
    for (m, metric) in data.metrics.iter().enumerate() {
        out.push(Figure {
            id: format!("metric-{}", file_safe(&metric.name)),
            title: metric::title(metric),
            caption: metric::caption(data, m),
            section: "metrics",
            width: 960,
            height: 480,
            chart: Chart::Metric(m),
        });
    }
    if data.arms.iter().any(|a| a.rejected.iter().any(|r| *r > 0)) {
        out.push(Figure {
            id: "gate".into(),
            title: "Gate: generations rejected".into(),
            caption: gate::CAPTION.into(),
            section: "gate",
            width: 960,
            height: 360,
            chart: Chart::Gate,
        });
    }
    for (a, arm) in data.arms.iter().enumerate() {
        if arm.composition.iter().any(|parts| !parts.is_empty()) {
            out.push(Figure {
                id: format!("composition-{a}-{}", file_safe(&arm.name)),
                title: format!("Training set of each generation: {}", arm.name),
                caption: composition::caption(data),
                section: "composition",
                width: 960,
                height: 360,
                chart: Chart::Composition(a),
            });
        }
    }
    for (a, arm) in data.arms.iter().enumerate() {
        if arm
            .perplexity
            .iter()
            .any(|s| s.values.iter().any(|v| v.is_finite()))
        {
            out.push(Figure {
                id: format!("perplexity-{a}-{}", file_safe(&arm.name)),
                title: format!("Perplexity of samples under generation 0: {}", arm.name),
                caption: histogram::CAPTION.into(),
                section: "text",
                width: 960,
                height: 400,
                chart: Chart::Perplexity(a),
            });
        }
    }
    out
}

impl Figure {
    /// The figure as an SVG document.
    pub fn svg(&self, data: &ReportData) -> Result<String, Error> {
        to_svg(&self.canvas(), &(self, data))
    }

    /// The figure as a PNG image (RGB, 8 bits per channel).
    pub fn png(&self, data: &ReportData) -> Result<Vec<u8>, Error> {
        to_png(&self.canvas(), &(self, data))
    }

    fn canvas(&self) -> Canvas<'_> {
        Canvas {
            id: &self.id,
            title: &self.title,
            width: self.width,
            height: self.height,
        }
    }
}

impl Drawing for (&Figure, &ReportData) {
    fn draw<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Shift>,
        legend: &DrawingArea<DB, Shift>,
    ) -> Result<(), String> {
        let (figure, data) = *self;
        match figure.chart {
            Chart::Metric(m) => metric::draw(data, m, plot, legend),
            Chart::Gate => gate::draw(data, plot, legend),
            Chart::Composition(a) => {
                composition::draw(&data.arms[a], composition::unit(data), plot, legend)
            }
            Chart::Perplexity(a) => histogram::draw(data, a, plot, legend),
        }
    }
}

/// A chart body: the plot area and the legend panel beside it.
pub(crate) trait Drawing {
    fn draw<DB: DrawingBackend>(
        &self,
        plot: &DrawingArea<DB, Shift>,
        legend: &DrawingArea<DB, Shift>,
    ) -> Result<(), String>;
}

/// What every figure file has: a name for errors, a title, a size.
pub(crate) struct Canvas<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub width: u32,
    pub height: u32,
}

impl Canvas<'_> {
    fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::Draw {
            figure: self.id.to_string(),
            message: message.to_string(),
        }
    }

    /// White page, the title on top, the plot at the left and the legend panel right.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        drawing: &impl Drawing,
    ) -> Result<(), Error> {
        fonts::ensure().map_err(Error::Font)?;
        root.fill(&WHITE).map_err(|e| self.error(e))?;
        let body = root
            .titled(
                self.title,
                (fonts::FAMILY, 20).into_font().color(&palette::TEXT),
            )
            .map_err(|e| self.error(e))?;
        let (plot, legend) = body.split_horizontally(self.width.saturating_sub(LEGEND_WIDTH));
        drawing.draw(&plot, &legend).map_err(|e| self.error(e))
    }
}

/// A drawing as an SVG document (text kept as text).
pub(crate) fn to_svg(canvas: &Canvas<'_>, drawing: &impl Drawing) -> Result<String, Error> {
    let mut text = String::new();
    {
        let root =
            SVGBackend::with_string(&mut text, (canvas.width, canvas.height)).into_drawing_area();
        canvas.draw(&root, drawing)?;
        root.present().map_err(|e| canvas.error(e))?;
    }
    Ok(text)
}

/// A drawing as a PNG image (RGB, 8 bits per channel).
pub(crate) fn to_png(canvas: &Canvas<'_>, drawing: &impl Drawing) -> Result<Vec<u8>, Error> {
    let (width, height) = (canvas.width, canvas.height);
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        canvas.draw(&root, drawing)?;
        root.present().map_err(|e| canvas.error(e))?;
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let png_error = |e: png::EncodingError| Error::Png {
        figure: canvas.id.to_string(),
        message: e.to_string(),
    };
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&pixels).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(bytes)
}

/// plotters' errors carry the backend's error type; charts report them as text.
pub(crate) trait OrMessage<T> {
    fn or_msg(self) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> OrMessage<T> for Result<T, E> {
    fn or_msg(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key {
    Line { colour: RGBColor, width: u32 },
    Dashed { colour: RGBColor },
    Band { colour: RGBColor },
    Swatch { colour: RGBColor },
    Cross { colour: RGBColor },
}

pub(crate) struct LegendEntry {
    pub label: String,
    pub key: Key,
}

impl LegendEntry {
    pub fn new(label: impl Into<String>, key: Key) -> Self {
        LegendEntry {
            label: label.into(),
            key,
        }
    }
}

/// Legend labels longer than this are shortened with an ellipsis (the HTML names
/// them in full).
const LEGEND_CHARS: usize = 26;

fn shorten(label: &str) -> String {
    if label.chars().count() <= LEGEND_CHARS {
        label.to_string()
    } else {
        let mut short: String = label.chars().take(LEGEND_CHARS - 1).collect();
        short.push('…');
        short
    }
}

/// Draw the legend panel: one row per entry, a key at the left and its label.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> Result<(), String> {
    let font = (fonts::FAMILY, 14)
        .into_font()
        .color(&palette::TEXT)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let row = 22;
    let (_, height) = area.dim_in_pixel();
    for (i, entry) in entries.iter().enumerate() {
        let y = 24 + row * i as i32;
        if y + row > height as i32 {
            area.draw(&Text::new("…", (12, y), font.clone())).or_msg()?;
            break;
        }
        let (x0, x1) = (12, 44);
        draw_key(area, entry.key, x0, x1, y)?;
        let label = shorten(&entry.label);
        area.draw(&Text::new(label, (x1 + 8, y), font.clone()))
            .or_msg()?;
    }
    Ok(())
}

/// One legend key between x0 and x1 at height y.
fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    key: Key,
    x0: i32,
    x1: i32,
    y: i32,
) -> Result<(), String> {
    match key {
        Key::Line { colour, width } => {
            area.draw(&PathElement::new(
                vec![(x0, y), (x1, y)],
                colour.stroke_width(width),
            ))
            .or_msg()?;
        }
        Key::Dashed { colour } => {
            for x in (x0..x1).step_by(10) {
                area.draw(&PathElement::new(
                    vec![(x, y), ((x + 6).min(x1), y)],
                    colour.stroke_width(2),
                ))
                .or_msg()?;
            }
        }
        Key::Band { colour } => {
            area.draw(&Rectangle::new(
                [(x0, y - 7), (x1, y + 7)],
                colour.mix(0.2).filled(),
            ))
            .or_msg()?;
            area.draw(&PathElement::new(
                vec![(x0, y), (x1, y)],
                colour.stroke_width(2),
            ))
            .or_msg()?;
        }
        Key::Swatch { colour } => {
            area.draw(&Rectangle::new([(x0, y - 7), (x1, y + 7)], colour.filled()))
                .or_msg()?;
        }
        Key::Cross { colour } => {
            area.draw(&Cross::new(((x0 + x1) / 2, y), 5, colour.stroke_width(2)))
                .or_msg()?;
        }
    }
    Ok(())
}

/// The chart builder every chart starts from: its margin and the room of the axis
/// labels.
pub(crate) fn frame<'a, 'b, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(plot);
    builder
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(80);
    builder
}

/// The house style every chart's mesh shares: fonts, grid colours, value labels on
/// the y axis. Callers add their axis descriptions and x labels, then `draw`.
pub(crate) fn house_mesh<'a, 'b, X, Y, DB>(
    mut mesh: MeshStyle<'a, 'b, X, Y, DB>,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged<ValueType = f64>,
    DB: DrawingBackend,
{
    mesh.y_label_formatter(&value_label)
        .label_style(axis_font())
        .axis_desc_style(axis_font())
        .light_line_style(palette::GRID.mix(0.5))
        .bold_line_style(palette::GRID)
        .max_light_lines(2);
    mesh
}

/// Text style of axis labels and descriptions.
pub(crate) fn axis_font() -> TextStyle<'static> {
    (fonts::FAMILY, 14).into_font().color(&palette::TEXT)
}

/// Generation ticks: integers only (plotters may place a tick between two).
pub(crate) fn generation_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{}", v.round() as i64)
    } else {
        String::new()
    }
}

/// A value axis label with 4 significant digits, scientific when very small or large.
pub(crate) fn value_label(v: &f64) -> String {
    // A tick meant to be 0 can land a rounding error away from it (-2.2e-16).
    if v.abs() < 1e-12 {
        "0".into()
    } else if v.fract() == 0.0 && v.abs() < 1e9 {
        // Counts (records, tokens) read best in full.
        format!("{v:.0}")
    } else {
        number(*v)
    }
}

/// The x range of a generation axis with `count` generations.
pub(crate) fn generation_range(count: usize) -> std::ops::Range<f64> {
    -0.5..(count.max(1) as f64 - 0.5)
}

/// Maximal runs of consecutive indices where `keep` holds.
pub(crate) fn runs(len: usize, keep: impl Fn(usize) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..=len {
        let inside = i < len && keep(i);
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_gaps() {
        let values = [1.0, f64::NAN, 2.0, 3.0, f64::INFINITY, 4.0];
        assert_eq!(
            runs(values.len(), |i| values[i].is_finite()),
            vec![0..1, 2..4, 5..6]
        );
        assert!(runs(0, |_| true).is_empty());
    }

    #[test]
    fn labels() {
        assert_eq!(generation_label(&5.0), "5");
        assert_eq!(generation_label(&2.5), "");
        assert_eq!(shorten("short"), "short");
        assert_eq!(shorten(&"x".repeat(40)).chars().count(), LEGEND_CHARS);
    }
}
