//! Row construction details that the public API does not show.

use super::*;

#[test]
fn tabulated_rows_are_the_generated_rows() {
    for order in [1, 2] {
        let spec = LanguageSpec {
            vocab: 60,
            order,
            branching: 8,
            ..LanguageSpec::default()
        };
        let language = Language::new(&spec, &mut Rng::seed_from_u64(3)).unwrap();
        assert!(language.table.is_some());
        for context in [0u64, 1, 7, 60, (61u64.pow(order as u32)) - 1] {
            assert_eq!(
                language.row(context).as_ref(),
                language.generate_row(context)
            );
        }
    }
}

#[test]
fn rows_hold_distinct_successors_on_both_sampling_paths() {
    // vocab 20 < 4·K: Efraimidis–Spirakis; vocab 5000: rejection.
    for vocab in [20, 5000] {
        let spec = LanguageSpec {
            vocab,
            exponent: 1.3,
            branching: 16,
            ..LanguageSpec::default()
        };
        let language = Language::new(&spec, &mut Rng::seed_from_u64(4)).unwrap();
        for context in 0..50 {
            let mut row = language.generate_row(context);
            assert_eq!(row.len(), 16);
            row.sort_unstable();
            row.dedup();
            assert_eq!(row.len(), 16);
        }
    }
}
