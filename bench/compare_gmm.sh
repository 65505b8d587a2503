#!/usr/bin/env bash
# Compare genloop's Gaussian mixture EM with scikit-learn's GaussianMixture on the same
# 2-D data (k = 2 and 5, N = 1 000 and 10 000; see bench/gmm_sklearn.py).
# Usage: bash bench/compare_gmm.sh   (env: REPETITIONS=50 SEED=0 PYTHON=python3)
set -euo pipefail
cd "$(dirname "$0")/.."

REPETITIONS=${REPETITIONS:-50}
SEED=${SEED:-0}
PY=${PYTHON:-python3}

"$PY" -c 'import numpy, sklearn' 2>/dev/null || "$PY" -m pip install --quiet numpy scikit-learn

echo "genloop: building the example gmm_fit (release)" >&2
cargo build --quiet --release -p genloop-models --example gmm_fit
binary="${CARGO_TARGET_DIR:-target}/release/examples/gmm_fit"

# One thread per fit on both sides: genloop fits single-threaded, and on 2-D data
# scikit-learn gains nothing from BLAS/OpenMP threads but their contention noise.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"$PY" bench/gmm_sklearn.py --rust "$binary" --repetitions "$REPETITIONS" --seed "$SEED"
