//! The planner's search: bisection over one config value for the boundary where a
//! target starts (or stops) being kept, with every probe's margin and its 95 %
//! interval. A probe *keeps* the target when its mean margin does; it keeps or breaks
//! it *surely* when the whole interval is on one side. The answer is the last value
//! bisection kept; its interval runs from the nearest surely-broken probe on the bad
//! side to the nearest surely-kept probe on the good side (or to the ends of the range),
//! so an answer that noise could move is reported with the room it has.

use serde::Serialize;

/// Which end of the range the planner looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Find {
    /// The smallest value that keeps the target (larger values keep it too: fresh
    /// data, samples, filters' strength).
    Smallest,
    /// The largest value that keeps the target (smaller values keep it too:
    /// contamination, sampling bias).
    Largest,
}

/// What a probe says about the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The whole interval of the margin keeps the target.
    Keeps,
    /// The whole interval breaks it.
    Breaks,
    /// The interval holds both; the mean decides the bisection.
    Undecided,
}

/// One value tried.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Probe {
    pub value: f64,
    pub replicates: usize,
    /// Mean margin over replicates (positive: kept) and its 95 % t interval.
    pub margin: f64,
    pub margin_interval: [f64; 2],
    /// Whether the mean margin keeps the target.
    pub keeps: bool,
    pub verdict: Verdict,
    /// The cell (run folder) it ran in.
    pub cell: String,
}

/// The range searched and how finely.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub from: f64,
    pub to: f64,
    pub integer: bool,
    /// Stop when the bracket is this narrow.
    pub tolerance: f64,
    pub find: Find,
}

/// Where the search ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The value found and the interval it lies in.
    Found { value: f64, interval: [f64; 2] },
    /// Even the good end of the range breaks the target.
    NeverKept,
}

impl Range {
    /// The end of the range that should keep the target, and the other.
    fn ends(&self) -> (f64, f64) {
        match self.find {
            Find::Smallest => (self.to, self.from),
            Find::Largest => (self.from, self.to),
        }
    }

    fn midpoint(&self, a: f64, b: f64) -> f64 {
        let mid = 0.5 * (a + b);
        if self.integer {
            mid.floor()
        } else {
            mid
        }
    }

    fn narrow_enough(&self, good: f64, bad: f64) -> bool {
        let width = (good - bad).abs();
        width <= self.tolerance || (self.integer && width <= 1.0)
    }
}

/// Bisect `range` with `probe` (which runs a value and measures it); returns the
/// outcome and every probe, in the order run. After the answer, two more bisections
/// find where the probes turn surely kept and surely broken: the answer's interval.
pub fn bisect<E>(
    range: &Range,
    probe: impl FnMut(f64) -> Result<Probe, E>,
) -> Result<(Outcome, Vec<Probe>), E> {
    let mut search = Search {
        range,
        probe,
        probes: Vec::new(),
    };
    let (good_end, bad_end) = range.ends();
    if !search.at(good_end)?.keeps {
        return Ok((Outcome::NeverKept, search.probes));
    }
    if search.at(bad_end)?.keeps {
        let interval = search.interval(bad_end, bad_end)?;
        return Ok((
            Outcome::Found {
                value: bad_end,
                interval,
            },
            search.probes,
        ));
    }
    let (found, last_broken) = search.narrow(good_end, bad_end, |p| p.keeps)?;
    let interval = search.interval(found, last_broken)?;
    Ok((
        Outcome::Found {
            value: found,
            interval,
        },
        search.probes,
    ))
}

/// A bisection in progress: the probes run so far, each value at most once.
struct Search<'a, P> {
    range: &'a Range,
    probe: P,
    probes: Vec<Probe>,
}

impl<E, P: FnMut(f64) -> Result<Probe, E>> Search<'_, P> {
    fn at(&mut self, value: f64) -> Result<Probe, E> {
        if let Some(known) = self.probes.iter().find(|p| p.value == value) {
            return Ok(known.clone());
        }
        let probe = (self.probe)(value)?;
        self.probes.push(probe.clone());
        Ok(probe)
    }

    /// Bisect between `yes` (where `holds`) and `no` (where it does not) until the
    /// bracket is narrow; returns the final (yes, no).
    fn narrow(
        &mut self,
        mut yes: f64,
        mut no: f64,
        holds: impl Fn(&Probe) -> bool,
    ) -> Result<(f64, f64), E> {
        while !self.range.narrow_enough(yes, no) {
            let mid = self.range.midpoint(yes, no);
            if mid == yes || mid == no {
                break;
            }
            if holds(&self.at(mid)?) {
                yes = mid;
            } else {
                no = mid;
            }
        }
        Ok((yes, no))
    }

    /// The interval of `found` (kept by its mean; `last_broken` is the value beside
    /// it that was not): from where the probes turn surely broken to where they turn
    /// surely kept, or to the range's end where they never do.
    fn interval(&mut self, found: f64, last_broken: f64) -> Result<[f64; 2], E> {
        let (good_end, bad_end) = self.range.ends();
        let side = (good_end - bad_end).signum();
        let toward_good = |value: f64| (value - found) * side;
        let nearest = |probes: &[Probe], verdict: Verdict, good_side: bool| {
            probes
                .iter()
                .filter(|p| p.verdict == verdict && (toward_good(p.value) >= 0.0) == good_side)
                .map(|p| p.value)
                .min_by(|a, b| toward_good(*a).abs().total_cmp(&toward_good(*b).abs()))
        };
        let upper = match nearest(&self.probes, Verdict::Keeps, true) {
            Some(kept) if kept == found => found,
            Some(kept) => self.narrow(kept, found, |p| p.verdict == Verdict::Keeps)?.0,
            None => good_end,
        };
        let lower = match nearest(&self.probes, Verdict::Breaks, false) {
            Some(_) if found == last_broken => found,
            Some(broken) if broken == last_broken => broken,
            Some(broken) => {
                self.narrow(broken, last_broken, |p| p.verdict == Verdict::Breaks)?
                    .0
            }
            None => bad_end,
        };
        Ok([lower.min(upper), lower.max(upper)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A probe of a known margin curve with a fixed half-width of its interval.
    fn probe_of(curve: impl Fn(f64) -> f64, half: f64) -> impl FnMut(f64) -> Result<Probe, ()> {
        move |value| {
            let margin = curve(value);
            let verdict = if margin - half >= 0.0 {
                Verdict::Keeps
            } else if margin + half < 0.0 {
                Verdict::Breaks
            } else {
                Verdict::Undecided
            };
            Ok(Probe {
                value,
                replicates: 10,
                margin,
                margin_interval: [margin - half, margin + half],
                keeps: margin >= 0.0,
                verdict,
                cell: String::new(),
            })
        }
    }

    fn range(from: f64, to: f64, integer: bool, find: Find) -> Range {
        Range {
            from,
            to,
            integer,
            tolerance: if integer { 1.0 } else { 1e-3 },
            find,
        }
    }

    #[test]
    fn integer_bisection_finds_the_first_kept_value() {
        let r = range(0.0, 200.0, true, Find::Smallest);
        let (outcome, probes) = bisect(&r, probe_of(|v| v - 37.0, 0.0)).unwrap();
        assert_eq!(
            outcome,
            Outcome::Found {
                value: 37.0,
                interval: [36.0, 37.0]
            }
        );
        assert!(probes.len() <= 2 + 8, "{}", probes.len());
    }

    #[test]
    fn largest_value_and_float_ranges() {
        let r = range(0.0, 1.0, false, Find::Largest);
        let (outcome, _) = bisect(&r, probe_of(|v| 0.3 - v, 0.0)).unwrap();
        let Outcome::Found { value, interval } = outcome else {
            panic!("not found")
        };
        assert!((value - 0.3).abs() <= 1e-3 && value <= 0.3, "{value}");
        assert!(interval[0] <= 0.3 && 0.3 <= interval[1], "{interval:?}");
    }

    #[test]
    fn noise_widens_the_interval_and_ends_are_checked() {
        let r = range(0.0, 200.0, true, Find::Smallest);
        let (outcome, _) = bisect(&r, probe_of(|v| (v - 100.0) / 10.0, 2.0)).unwrap();
        // Undecided within 20 of the boundary: the interval covers that band.
        assert_eq!(
            outcome,
            Outcome::Found {
                value: 100.0,
                interval: [79.0, 120.0]
            }
        );
        let (never, probes) = bisect(&r, probe_of(|_| -1.0, 0.0)).unwrap();
        assert_eq!((never, probes.len()), (Outcome::NeverKept, 1));
        let (always, _) = bisect(&r, probe_of(|_| 1.0, 0.0)).unwrap();
        assert_eq!(
            always,
            Outcome::Found {
                value: 0.0,
                interval: [0.0, 0.0]
            }
        );
    }
}
