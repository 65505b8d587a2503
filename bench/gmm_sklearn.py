"""Gaussian mixture fits: scikit-learn against genloop, on the same data.

For each case (k = 2 and 5 components, N = 1 000 and 10 000 2-D points drawn from a
k-component mixture) the script writes the points to a CSV in a temporary folder, times
`GaussianMixture(n_components=k, covariance_type="full", tol=1e-3, reg_covar=1e-6,
max_iter=100, n_init=1, init_params="k-means++", random_state=r)` for r = 0..R-1 and
records the mean log-likelihood per point (`score(X)`), then runs genloop's example
`gmm_fit` on the same CSV (which times its own fits the same way) and prints a table.

Data recipe (shared with crates/genloop-models/benches/gmm.rs): component j of k has
weight ∝ j + 1, mean 4·(cos 2πj/k, sin 2πj/k) and covariance
R(πj/k) diag(1, 0.25) R(πj/k)ᵀ; points drawn with numpy's default_rng([seed, k, N]).

Usage: python3 bench/gmm_sklearn.py --rust target/release/examples/gmm_fit
       [--repetitions 50] [--seed 0] [--json]
Without --rust only the scikit-learn rows are printed.
"""

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

CASES = [(2, 1_000), (2, 10_000), (5, 1_000), (5, 10_000)]


def truth(k):
    weights = np.arange(1, k + 1, dtype=float)
    weights /= weights.sum()
    angles = 2 * np.pi * np.arange(k) / k
    means = 4.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    covariances = []
    for j in range(k):
        s, c = math.sin(math.pi * j / k), math.cos(math.pi * j / k)
        rotation = np.array([[c, -s], [s, c]])
        covariances.append(rotation @ np.diag([1.0, 0.25]) @ rotation.T)
    return weights, means, np.array(covariances)


def draw(k, n, seed):
    rng = np.random.default_rng([seed, k, n])
    weights, means, covariances = truth(k)
    labels = rng.choice(k, size=n, p=weights)
    points = np.empty((n, 2))
    for j in range(k):
        rows = labels == j
        points[rows] = rng.multivariate_normal(means[j], covariances[j], size=rows.sum())
    return points


def time_sklearn(points, k, repetitions):
    def fit(r):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return GaussianMixture(
                n_components=k,
                covariance_type="full",
                tol=1e-3,
                reg_covar=1e-6,
                max_iter=100,
                n_init=1,
                init_params="k-means++",
                random_state=r,
            ).fit(points)

    fit(10_000)  # warm-up: imports, caches
    seconds, log_likelihoods, iterations = [], [], []
    for r in range(repetitions):
        start = time.perf_counter()
        model = fit(r)
        seconds.append(time.perf_counter() - start)
        log_likelihoods.append(model.score(points))
        iterations.append(model.n_iter_)
    return {
        "seconds_per_fit": float(np.mean(seconds)),
        "mean_log_likelihood": float(np.mean(log_likelihoods)),
        "log_likelihood_sd": float(np.std(log_likelihoods, ddof=1)) if repetitions > 1 else 0.0,
        "iterations": float(np.mean(iterations)),
    }


def run_rust(binary, csv, k, repetitions, seed):
    out = subprocess.run(
        [binary, str(csv), str(k), str(repetitions), str(seed)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rust", help="path of the gmm_fit example binary")
    parser.add_argument("--repetitions", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON lines")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for k, n in CASES:
            points = draw(k, n, args.seed)
            csv = Path(folder) / f"k{k}_n{n}.csv"
            np.savetxt(csv, points, delimiter=",", fmt="%.17g")
            print(f"k = {k}, N = {n}: scikit-learn", file=sys.stderr)
            row = {"k": k, "n": n, "sklearn": time_sklearn(points, k, args.repetitions)}
            if args.rust:
                print(f"k = {k}, N = {n}: genloop", file=sys.stderr)
                row["genloop"] = run_rust(args.rust, csv, k, args.repetitions, args.seed)
            rows.append(row)

    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    print(
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; {args.repetitions} fits per case "
        f"(means; ± is the standard error), tol 1e-3, reg_covar 1e-6, n_init 1, max_iter 100\n"
    )
    print("| k | N | sklearn ms/fit | genloop ms/fit | speedup | sklearn iters | genloop iters "
          "| speedup per iteration | sklearn mean loglik | genloop mean loglik | Δ loglik (genloop − sklearn) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    root = math.sqrt(args.repetitions)
    for row in rows:
        s = row["sklearn"]
        g = row.get("genloop")
        s_ll = f"{s['mean_log_likelihood']:.4f} ± {s['log_likelihood_sd'] / root:.4f}"
        if g is None:
            print(f"| {row['k']} | {row['n']} | {1e3 * s['seconds_per_fit']:.3f} | — | — | {s['iterations']:.2f} | — "
                  f"| — | {s_ll} | — | — |")
            continue
        speedup = s["seconds_per_fit"] / g["seconds_per_fit"]
        per_iteration = (s["seconds_per_fit"] / s["iterations"]) / (g["seconds_per_fit"] / g["iterations"])
        delta = g["mean_log_likelihood"] - s["mean_log_likelihood"]
        delta_se = math.hypot(s["log_likelihood_sd"], g["log_likelihood_sd"]) / root
        g_ll = f"{g['mean_log_likelihood']:.4f} ± {g['log_likelihood_sd'] / root:.4f}"
        print(f"| {row['k']} | {row['n']} | {1e3 * s['seconds_per_fit']:.3f} | {1e3 * g['seconds_per_fit']:.4f} "
              f"| {speedup:.1f}× | {s['iterations']:.2f} | {g['iterations']:.2f} | {per_iteration:.1f}× "
              f"| {s_ll} | {g_ll} | {delta:+.4f} ± {delta_se:.4f} |")


if __name__ == "__main__":
    main()
