#!/usr/bin/env python3
"""Gaussian replace loop vectorised over replicates with numpy.

One (R, M) array of draws per generation; mean and MLE variance (divide by M) along
axis 1. Same metrics and JSON output as papers_loop.py.
"""
import argparse
import json
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
    rng = np.random.default_rng(a.seed)
    # metrics[g] = (variance_ratio, mean_sq_error, holdout_nll), each of shape (R,)
    metrics = np.empty((G, 3, R))
    mu, var = np.zeros((R, 1)), np.ones((R, 1))  # generation 0 is fitted to N(0, 1)
    for g in range(G):
        x = rng.normal(mu, np.sqrt(var), (R, M))
        mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
        m, v = mu[:, 0], var[:, 0]
        metrics[g] = v, m * m, 0.5 * (np.log(2 * np.pi) + np.log(v) + (sh + (xh - m) ** 2) / v)
    seconds = time.perf_counter() - start

    final = metrics[-1, 0]
    print(json.dumps({
        "seconds": seconds,
        "final_variance_mean": float(final.mean()),
        "final_log_variance_mean": float(np.log(final).mean()),
    }))


if __name__ == "__main__":
    main()
