//! Colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
//! distinguishable under the common colour-vision deficiencies.

use plotters::style::RGBColor;

/// The eight Okabe–Ito colours, black last; arms take them in config order.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];

/// The colour of the i-th arm or series. Yellow is weak on white, so it comes late;
/// past eight, colours repeat (legends still name every series).
pub fn series(i: usize) -> RGBColor {
    const ORDER: [usize; 8] = [4, 0, 2, 5, 1, 3, 7, 6];
    OKABE_ITO[ORDER[i % ORDER.len()]]
}

/// Training-set pools: original = blue, fresh = bluish green, synthetic = vermillion.
pub fn pool(name: &str) -> RGBColor {
    match name {
        "original" => OKABE_ITO[4],
        "fresh" => OKABE_ITO[2],
        "synthetic" => OKABE_ITO[5],
        _ => RGBColor(0x99, 0x99, 0x99),
    }
}

/// `colour` mixed towards white by `amount` in [0, 1]: older cohorts are lighter.
pub fn lighten(colour: RGBColor, amount: f64) -> RGBColor {
    let amount = amount.clamp(0.0, 1.0);
    let mix = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * amount).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// Axis, grid and text greys.
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Reference levels (chance) in charts: grey, darker than the grid.
pub const REFERENCE: RGBColor = RGBColor(0x88, 0x88, 0x88);

/// `#rrggbb`, as the SVG backend writes colours.
pub fn hex(colour: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", colour.0, colour.1, colour.2)
}

/// The colour of the i-th arm as `#RRGGBB`, as it appears in SVG and HTML.
pub fn arm_colour(i: usize) -> String {
    hex(series(i))
}
