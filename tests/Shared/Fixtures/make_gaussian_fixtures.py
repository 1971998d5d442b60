"""Generate gaussian_transport.json: Gaussian-to-Gaussian OT closed forms computed by POT.

Run once with Debian's python3 and its python3-pot package (POT 0.8.2):
    python3 make_gaussian_fixtures.py > gaussian_transport.json

POT 0.8.2 has no ot.gaussian module; its closed-form Gaussian map lives in ot.da.OT_mapping_linear, which takes
samples. We give it 2d samples m +/- sqrt(d) l_i (l_i the columns of a Cholesky factor of S): their mean is m and
their (uniformly weighted) covariance is exactly L L^T = S, and reg=0 disables POT's diagonal regularisation.
POT returns (A, b) with T(x) = x A + b. W2 is computed here with scipy.linalg.sqrtm from the definition.
"""
import json
import sys

import numpy as np
import ot
import scipy.linalg


def samples_with_moments(mean, covariance):
    d = len(mean)
    factor = np.linalg.cholesky(covariance)
    offsets = np.sqrt(d) * factor.T  # row i is sqrt(d) * column i of the factor
    return np.vstack([mean + offsets, mean - offsets])


def pot_map(mean0, cov0, mean1, cov1):
    a, b = ot.da.OT_mapping_linear(samples_with_moments(mean0, cov0), samples_with_moments(mean1, cov1), reg=0.0)
    return a, b.reshape(-1)


def w2_distance(mean0, cov0, mean1, cov1):
    root0 = np.real(scipy.linalg.sqrtm(cov0))
    middle = np.real(scipy.linalg.sqrtm(root0 @ cov1 @ root0))
    squared = np.sum((mean0 - mean1) ** 2) + np.trace(cov0) + np.trace(cov1) - 2 * np.trace(middle)
    return float(np.sqrt(max(squared, 0.0)))


def rotated_covariance(rng, eigenvalues):
    q, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
    return (q * np.asarray(eigenvalues)) @ q.T


def spec_5d():
    s_a1 = [[1, .5, 0, .3, .8], [.5, 1, -.8, 0, 0], [0, -.8, 2, -.5, 0], [.3, 0, -.5, 1, 0], [.8, 0, 0, 0, 2]]
    s_a3 = [[3, .8, 0, -.6, 0], [.8, 1, .5, .5, -.3], [0, .5, 1, .8, 0], [-.6, .5, .8, 1, 0], [0, -.3, 0, 0, 1]]
    s_b1 = [[1, 0, .5, -.3, 0], [0, 2, 0, .8, 0], [.5, 0, 1, .4, -.18], [-.3, .8, .4, 2, 0], [0, 0, -.18, 0, 1]]
    s_b2 = [[2, .5, 0, 0, .8], [.5, 1, 0, -.6, 0], [0, 0, 1, .5, 0], [0, -.6, .5, 1, 0], [.8, 0, 0, 0, 1]]
    return [
        ("5d-spec-a1-to-b1", [-6, 2, 1, -2, 3], s_a1, [4, -2, 3, 3, 2], s_b1),
        ("5d-spec-b2-to-a1", [2, -3, 4, -1, 0], s_b2, [-6, 2, 1, -2, 3], s_a1),
        ("5d-spec-a3-to-b2", [-2, 5, 3, 2, 2], s_a3, [2, -3, 4, -1, 0], s_b2),
    ]


def main():
    rng = np.random.default_rng(20261127)
    pairs = [
        ("2d-gaussian-2d-experiment", [0, 0], [[1, 0], [0, 1]], [3, 3], [[1, .5], [.5, .5]]),
        ("2d-both-correlated", [1, -2], [[2, -.7], [-.7, .6]], [-.5, 4], [[.3, .1], [.1, 1.5]]),
        *spec_5d(),
        ("10d-random", rng.normal(size=10), rotated_covariance(rng, rng.uniform(.25, 2, size=10)),
         rng.normal(size=10) * 2, rotated_covariance(rng, rng.uniform(.25, 2, size=10))),
        # Condition numbers 5e3 and 3e2: stresses the inverse square root of S0.
        ("10d-ill-conditioned", np.zeros(10), rotated_covariance(rng, np.geomspace(1e-3, 5, 10)),
         rng.normal(size=10), rotated_covariance(rng, np.geomspace(.01, 3, 10))),
    ]
    records = []
    for name, mean0, cov0, mean1, cov1 in pairs:
        mean0, cov0, mean1, cov1 = (np.asarray(v, dtype=float) for v in (mean0, cov0, mean1, cov1))
        a, b = pot_map(mean0, cov0, mean1, cov1)
        # POT's offset must agree with m1 - A m0, i.e. T(x) = m1 + A (x - m0).
        assert np.allclose(b, mean1 - mean0 @ a, rtol=1e-9, atol=1e-9), name
        records.append({
            "name": name,
            "mean0": mean0.tolist(), "cov0": cov0.tolist(),
            "mean1": mean1.tolist(), "cov1": cov1.tolist(),
            "map_matrix": a.tolist(), "map_offset": b.tolist(),
            "w2": w2_distance(mean0, cov0, mean1, cov1),
        })
    header = {
        "generator": "make_gaussian_fixtures.py with POT " + ot.__version__ + " (ot.da.OT_mapping_linear, reg=0)"
                     + ", numpy " + np.__version__ + ", scipy " + scipy.__version__,
        "convention": "T(x) = x map_matrix + map_offset for row vectors x; w2 is the distance W2 (not squared)",
    }
    # One pair per line keeps the file readable and its diffs small; floats are written with round-trip precision.
    lines = [json.dumps(record) for record in records]
    sys.stdout.write(json.dumps(header)[:-1] + ',\n "pairs": [\n  ' + ',\n  '.join(lines) + '\n ]\n}\n')


if __name__ == "__main__":
    main()
