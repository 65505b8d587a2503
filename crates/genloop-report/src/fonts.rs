//! Glyphs for plotters' `ab_glyph` text: DejaVu Sans, bundled by the `dejavu` crate
//! (Bitstream Vera / DejaVu licence, free to embed), registered once per process
//! under the family `sans-serif`. Nothing is read from the system, so SVG and PNG
//! render the same on a machine without fonts. SVG text names the family only; the
//! viewer draws it with its own sans-serif font. The glyphs also size the labels,
//! which is why SVG needs them too.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

/// The family every chart's text uses.
pub const FAMILY: &str = "sans-serif";

/// Register the bundled font (idempotent, thread-safe).
pub fn ensure() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let fonts = [
                (FontStyle::Normal, dejavu::sans::regular()),
                (FontStyle::Bold, dejavu::sans::bold()),
            ];
            for (style, bytes) in fonts {
                register_font(FAMILY, style, bytes).map_err(|_| {
                    format!(
                        "the bundled DejaVu Sans ({}) is not a valid font",
                        style.as_str()
                    )
                })?;
            }
            Ok(())
        })
        .clone()
}
