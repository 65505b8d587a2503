//! Fit: a generation's model, fitted on its training set with its `fit` stream.

use rand::SeedableRng;

use crate::data::TrainingSet;
use crate::model::{Estimator, FitError, Start};
use crate::seed::{Rng, RootSeed};
use crate::task::{ModelOf, Task};

/// Fit the model of `generation` of `replicate` on `train`, from `start` where the
/// estimator fine-tunes.
pub fn fit<T: Task>(
    estimator: &T::Estimator,
    train: &TrainingSet<T::Data>,
    start: Start<'_, ModelOf<T>>,
    seed: RootSeed,
    replicate: u64,
    generation: u32,
) -> Result<ModelOf<T>, FitError> {
    estimator.fit_from(
        train,
        start,
        &mut fit_stream::<T>(seed, replicate, generation),
    )
}

/// The fit stream, derived only for estimators that draw.
fn fit_stream<T: Task>(seed: RootSeed, replicate: u64, generation: u32) -> Rng {
    if <T::Estimator as Estimator>::USES_RNG {
        seed.stream("fit", replicate, u64::from(generation))
    } else {
        Rng::from_seed([1; 32])
    }
}
