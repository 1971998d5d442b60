"""Times POT on point sets written by the .NET benchmark; prints one JSON line per problem.

Usage: python3 pot_timing.py exact|sinkhorn EPSILON_FRACTION SOURCE.csv TARGET.csv [SOURCE.csv TARGET.csv ...]
       python3 pot_timing.py exact-weighted EPSILON_FRACTION SOURCE.csv TARGET.csv SOURCE_WEIGHTS.csv TARGET_WEIGHTS.csv [...]
Sinkhorn's epsilon is EPSILON_FRACTION times the mean entry of the cost matrix. Weights are one per line (any scale;
ot.emd2 is given them normalised to sum 1). Exact results report POT's result_code (1: optimal; 3: numItermax
reached, the value is then not the optimum).
Costs follow NeuralOT's convention: L(v) = |v|^2 / 2, so the matrix is half of POT's squared Euclidean ot.dist.
"""
import json
import sys
import time

import numpy as np
import ot


def main():
    method, epsilon_fraction, paths = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    group = 4 if method == "exact-weighted" else 2
    for problem in zip(*(paths[k::group] for k in range(group))):
        x = np.loadtxt(problem[0], delimiter=",", ndmin=2)
        y = np.loadtxt(problem[1], delimiter=",", ndmin=2)
        if group == 4:
            a = np.loadtxt(problem[2], ndmin=1)
            b = np.loadtxt(problem[3], ndmin=1)
            a, b = a / a.sum(), b / b.sum()
        else:
            a = np.full(len(x), 1.0 / len(x))
            b = np.full(len(y), 1.0 / len(y))
        start = time.perf_counter()
        start_cpu = time.process_time()
        matrix = 0.5 * ot.dist(x, y)
        matrix_seconds = time.perf_counter() - start
        result_code = None
        if method.startswith("exact"):
            value, log = ot.emd2(a, b, matrix, numItermax=100_000_000, log=True)
            result_code = int(log["result_code"])
        else:
            value = ot.sinkhorn2(a, b, matrix, epsilon_fraction * matrix.mean(), method="sinkhorn_log",
                                 numItermax=100_000, stopThr=1e-9)
        total_seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - start_cpu
        print(json.dumps({"cost_value": float(value), "matrix_seconds": matrix_seconds,
                          "solve_seconds": total_seconds - matrix_seconds, "cpu_seconds": cpu_seconds,
                          "result_code": result_code}), flush=True)


if __name__ == "__main__":
    main()
