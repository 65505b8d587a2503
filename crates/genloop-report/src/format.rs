//! How the report writes numbers, names and which generations it shows, shared by
//! the charts, the HTML and the `genloop` binary's summary and file names.

/// A number with 4 significant digits (all digits of its integer part) and no
/// trailing zeros; scientific notation only below 0.001 or from 10⁹ on, so that counts
/// of records and tokens in one table read alike (`95798` beside `248763`, where
/// `2.488e5` used to sit); `n/a` for a missing value and `∞` for an infinite one.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "n/a".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-3..9).contains(&magnitude) {
        let text = format!("{v:.3e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return format!("{}e{exponent}", trim_zeros(mantissa));
    }
    let decimals = (3 - magnitude).max(0) as usize;
    trim_zeros(&format!("{v:.decimals$}")).to_string()
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// A name as a file name: ASCII letters, digits and `-_+.`; anything else becomes `_`.
pub fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_+.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Generations worth showing out of `count` (0, 1, 2, 5, 10, 20, 50, … and the last),
/// thinned to at most `max` while keeping the first and the last.
pub fn selected_generations(count: usize, max: usize) -> Vec<u32> {
    let mut shown = vec![0usize];
    let mut step = 1;
    while step < count {
        shown.extend(
            [step, 2 * step, 5 * step]
                .into_iter()
                .filter(|g| *g < count),
        );
        step *= 10;
    }
    if count > 0 {
        shown.push(count - 1);
    }
    shown.sort_unstable();
    shown.dedup();
    shown.retain(|g| *g < count);
    if max >= 2 && shown.len() > max {
        let last = shown.len() - 1;
        let keep: Vec<usize> = (0..max).map(|i| shown[i * last / (max - 1)]).collect();
        shown = keep;
        shown.dedup();
    }
    shown.into_iter().map(|g| g as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(0.98491), "0.9849");
        assert_eq!(number(0.2), "0.2");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(123.456), "123.5");
        assert_eq!(number(12345.0), "12345");
        assert_eq!(number(0.0001234), "1.234e-4");
        assert_eq!(number(2.0e6), "2000000");
        assert_eq!(number(248_763.4), "248763");
        assert_eq!(number(95_798.0), "95798");
        assert_eq!(number(2.5e9), "2.5e9");
        assert_eq!(number(-0.5), "-0.5");
        assert_eq!(number(f64::NAN), "n/a");
        assert_eq!(number(f64::INFINITY), "∞");
    }

    #[test]
    fn generations_are_spread_and_keep_both_ends() {
        assert_eq!(selected_generations(50, 10), vec![0, 1, 2, 5, 10, 20, 49]);
        assert_eq!(selected_generations(50, 4), vec![0, 2, 10, 49]);
        assert_eq!(selected_generations(3, 6), vec![0, 1, 2]);
        assert_eq!(selected_generations(1, 6), vec![0]);
        assert!(selected_generations(0, 6).is_empty());
    }

    #[test]
    fn file_names() {
        assert_eq!(file_safe("a b/<c>"), "a_b__c_");
    }
}
