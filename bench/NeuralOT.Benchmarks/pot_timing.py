"""Times POT on point sets written by the .NET benchmark; prints one JSON line per problem.

Usage: python3 pot_timing.py exact|sinkhorn EPSILON_FRACTION SOURCE.csv TARGET.csv [SOURCE.csv TARGET.csv ...]
Sinkhorn's epsilon is EPSILON_FRACTION times the mean entry of the cost matrix.
Costs follow NeuralOT's convention: L(v) = |v|^2 / 2, so the matrix is half of POT's squared Euclidean ot.dist.
"""
import json
import sys
import time

import numpy as np
import ot


def main():
    method, epsilon_fraction, paths = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    for source_path, target_path in zip(paths[0::2], paths[1::2]):
        x = np.loadtxt(source_path, delimiter=",")
        y = np.loadtxt(target_path, delimiter=",")
        a = np.full(len(x), 1.0 / len(x))
        b = np.full(len(y), 1.0 / len(y))
        start = time.perf_counter()
        start_cpu = time.process_time()
        matrix = 0.5 * ot.dist(x, y)
        matrix_seconds = time.perf_counter() - start
        if method == "exact":
            value = ot.emd2(a, b, matrix, numItermax=100_000_000)
        else:
            value = ot.sinkhorn2(a, b, matrix, epsilon_fraction * matrix.mean(), method="sinkhorn_log",
                                 numItermax=100_000, stopThr=1e-9)
        total_seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - start_cpu
        print(json.dumps({"cost_value": float(value), "matrix_seconds": matrix_seconds,
                          "solve_seconds": total_seconds - matrix_seconds, "cpu_seconds": cpu_seconds}), flush=True)


if __name__ == "__main__":
    main()
