#!/usr/bin/env python3
"""Gaussian replace loop written the way the papers' code writes it.

Plain Python loops over replicates and generations; each generation draws M points
from the previous fit with numpy and refits mean and MLE variance (divide by M).
See /work/shared/docs/formulas.md section 1 (Shumailov et al. 2024; Kazdan et al. 2024).
"""
import argparse
import json
import math
import time

import numpy as np

HOLDOUT = 10_000


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--replicates", type=int, default=1000)
    p.add_argument("--generations", type=int, default=1000)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    R, G, M = a.replicates, a.generations, a.samples

    start = time.perf_counter()
    holdout = np.random.default_rng([a.seed, 2**32 - 1]).normal(0.0, 1.0, HOLDOUT)
    xh, sh = holdout.mean(), holdout.var()
    # metrics[r, g] = (variance_ratio, mean_sq_error, holdout_nll)
    metrics = np.empty((R, G, 3))
    for r in range(R):
        rng = np.random.default_rng([a.seed, r])
        mu, sigma = 0.0, 1.0  # generation 0 is fitted to draws from N(0, 1)
        for g in range(G):
            x = rng.normal(mu, sigma, M)
            mu, var = x.mean(), x.var()  # MLE variance, ddof=0
            sigma = math.sqrt(var)
            nll = 0.5 * (math.log(2 * math.pi) + math.log(var) + (sh + (xh - mu) ** 2) / var)
            metrics[r, g] = var, mu * mu, nll
    seconds = time.perf_counter() - start

    final = metrics[:, -1, 0]
    print(json.dumps({
        "seconds": seconds,
        "final_variance_mean": float(final.mean()),
        "final_log_variance_mean": float(np.log(final).mean()),
    }))


if __name__ == "__main__":
    main()
