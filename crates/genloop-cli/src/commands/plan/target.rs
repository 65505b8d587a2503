//! The planner's target: `METRIC OP RHS`, where OP is `<=`, `<`, `>=` or `>` and RHS
//! is a number, `gen0` (the metric's generation-0 value in the same replicate) or a
//! linear form of it: `1.02 * gen0`, `gen0 * 1.02`, `gen0 + 0.1`, `0.5 * gen0 - 1`.
//! A replicate's *margin* is how far its final value is on the good side of its own
//! threshold (positive: the target is kept), so the planner's interval is the paired
//! interval of the margin, generation 0 and the final generation of the same seeds.
//!
//! ```
//! use genloop_cli::commands::plan::target::Target;
//! let t: Target = "holdout_cross_entropy <= 1.02 * gen0".parse().unwrap();
//! assert_eq!(t.metric, "holdout_cross_entropy");
//! assert!((t.margin(2.0, 2.03) - 0.01).abs() < 1e-12);
//! assert!("kl_to_truth =< 0.1".parse::<Target>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

/// Which side of the threshold keeps the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    AtMost,
    Below,
    AtLeast,
    Above,
}

impl Comparison {
    fn symbol(self) -> &'static str {
        match self {
            Comparison::AtMost => "<=",
            Comparison::Below => "<",
            Comparison::AtLeast => ">=",
            Comparison::Above => ">",
        }
    }

    /// Whether a margin keeps the target (`<` and `>` are strict).
    pub fn keeps(self, margin: f64) -> bool {
        match self {
            Comparison::AtMost | Comparison::AtLeast => margin >= 0.0,
            Comparison::Below | Comparison::Above => margin > 0.0,
        }
    }
}

/// A parsed `--target`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub metric: String,
    pub comparison: Comparison,
    /// The threshold is `scale · gen0 + offset`.
    pub scale: f64,
    pub offset: f64,
}

impl Target {
    /// The threshold for a replicate whose generation-0 value is `gen0`.
    pub fn threshold(&self, gen0: f64) -> f64 {
        if self.scale == 0.0 {
            self.offset
        } else {
            self.scale * gen0 + self.offset
        }
    }

    /// How far `value` is on the good side of the threshold.
    pub fn margin(&self, gen0: f64, value: f64) -> f64 {
        let threshold = self.threshold(gen0);
        match self.comparison {
            Comparison::AtMost | Comparison::Below => threshold - value,
            Comparison::AtLeast | Comparison::Above => value - threshold,
        }
    }

    /// Whether the threshold refers to generation 0.
    pub fn uses_gen0(&self) -> bool {
        self.scale != 0.0
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.metric, self.comparison.symbol())?;
        match (self.scale, self.offset) {
            (0.0, o) => write!(f, "{o}"),
            (1.0, 0.0) => write!(f, "gen0"),
            (s, 0.0) => write!(f, "{s} * gen0"),
            (s, o) if o < 0.0 => write!(f, "{s} * gen0 - {}", -o),
            (s, o) => write!(f, "{s} * gen0 + {o}"),
        }
    }
}

/// A target that cannot be read, with what is expected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("--target \"{text}\": {reason}; write METRIC OP VALUE with OP one of <= < >= >, VALUE a number or a linear form of gen0 (e.g. \"holdout_cross_entropy <= 1.02 * gen0\")")]
pub struct TargetError {
    pub text: String,
    pub reason: String,
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Target, TargetError> {
        let fail = |reason: String| TargetError {
            text: text.to_string(),
            reason,
        };
        let (at, symbol, comparison) = ["<=", ">=", "<", ">"]
            .iter()
            .zip([
                Comparison::AtMost,
                Comparison::AtLeast,
                Comparison::Below,
                Comparison::Above,
            ])
            .find_map(|(symbol, c)| text.find(symbol).map(|at| (at, *symbol, c)))
            .ok_or_else(|| fail("no comparison found".into()))?;
        let metric = text[..at].trim();
        if metric.is_empty()
            || !metric
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(fail(format!("`{metric}` is not a metric name")));
        }
        let (scale, offset) = linear_form(&text[at + symbol.len()..]).map_err(fail)?;
        Ok(Target {
            metric: metric.to_string(),
            comparison,
            scale,
            offset,
        })
    }
}

/// `a * gen0 + b` and its spellings, as (a, b): a sum of terms, each a number, `gen0`,
/// or a product of a number and `gen0`.
fn linear_form(text: &str) -> Result<(f64, f64), String> {
    let spaced = text.replace('+', " + ").replace('*', " * ");
    let mut tokens: Vec<String> = Vec::new();
    for word in spaced.split_whitespace() {
        // A minus is an operator between terms, a sign inside a number (`1e-3`).
        match word.strip_prefix('-') {
            Some(rest) if !tokens.is_empty() && tokens.last().is_some_and(|t| t != "*") => {
                tokens.push("-".into());
                if !rest.is_empty() {
                    tokens.push(rest.into());
                }
            }
            _ => tokens.push(word.into()),
        }
    }
    let (mut scale, mut offset, mut sign) = (0.0, 0.0, 1.0);
    let mut expect_term = true;
    let mut i = 0;
    while i < tokens.len() {
        if !expect_term {
            sign = match tokens[i].as_str() {
                "+" => 1.0,
                "-" => -1.0,
                other => return Err(format!("`{other}` where + or - belongs")),
            };
            expect_term = true;
            i += 1;
            continue;
        }
        let (coefficient, is_gen0, used) = term(&tokens[i..])?;
        if is_gen0 {
            scale += sign * coefficient;
        } else {
            offset += sign * coefficient;
        }
        expect_term = false;
        i += used;
    }
    if expect_term {
        return Err("the value is missing or ends in an operator".into());
    }
    if !scale.is_finite() || !offset.is_finite() {
        return Err("the value is not finite".into());
    }
    Ok((scale, offset))
}

/// One term at the start of `tokens`: (coefficient, whether it multiplies gen0, tokens used).
fn term(tokens: &[String]) -> Result<(f64, bool, usize), String> {
    let factor = |token: &str| -> Result<Option<f64>, String> {
        if token == "gen0" {
            Ok(None)
        } else {
            token
                .parse::<f64>()
                .map(Some)
                .map_err(|_| format!("`{token}` is neither a number nor gen0"))
        }
    };
    let first = factor(&tokens[0])?;
    if tokens.get(1).map(String::as_str) != Some("*") {
        return Ok((first.unwrap_or(1.0), first.is_none(), 1));
    }
    let Some(second) = tokens.get(2) else {
        return Err("`*` needs a factor after it".into());
    };
    match (first, factor(second)?) {
        (Some(a), None) | (None, Some(a)) => Ok((a, true, 3)),
        (Some(a), Some(b)) => Ok((a * b, false, 3)),
        (None, None) => Err("gen0 * gen0 is not linear".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Target {
        text.parse().unwrap()
    }

    #[test]
    fn spellings_of_the_threshold() {
        let t = parse("holdout_cross_entropy <= 1.02 * gen0");
        assert_eq!((t.scale, t.offset), (1.02, 0.0));
        assert_eq!(t.comparison, Comparison::AtMost);
        assert_eq!(parse("x<=gen0*1.5").scale, 1.5);
        assert_eq!(
            (
                parse("x >= gen0 - 0.25").scale,
                parse("x >= gen0 - 0.25").offset
            ),
            (1.0, -0.25)
        );
        assert_eq!(parse("x > 1e-3").offset, 1e-3);
        assert_eq!(parse("x > -2").offset, -2.0);
        assert_eq!(parse("x < 0.5 * gen0 + 1").threshold(4.0), 3.0);
        assert_eq!(
            parse("variance_ratio >= 0.9").comparison,
            Comparison::AtLeast
        );
        assert_eq!(parse("x >= 0.9").to_string(), "x >= 0.9");
        assert_eq!(parse("x <= 1.02*gen0").to_string(), "x <= 1.02 * gen0");
    }

    #[test]
    fn margins_point_to_the_good_side() {
        let at_most = parse("m <= 2 * gen0");
        assert_eq!(at_most.margin(1.0, 1.5), 0.5);
        assert!(at_most.comparison.keeps(at_most.margin(1.0, 2.0)));
        let above = parse("m > 1");
        assert_eq!(above.margin(f64::NAN, 3.0), 2.0);
        assert!(!above.comparison.keeps(above.margin(0.0, 1.0)));
    }

    #[test]
    fn bad_targets_say_what_is_wrong() {
        for bad in [
            "holdout 1.02",
            "<= 3",
            "x y <= 3",
            "x <= gen0 * gen0",
            "x <= 3 +",
            "x <= three",
            "x <= 1 2",
        ] {
            let error = bad.parse::<Target>().unwrap_err();
            assert!(error.to_string().contains(bad), "{error}");
        }
    }
}
