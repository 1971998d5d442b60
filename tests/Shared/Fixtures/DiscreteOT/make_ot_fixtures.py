"""Generates the exact-OT and Sinkhorn fixtures in this folder with POT (run once; the JSON files are committed).

    /usr/bin/python3 make_ot_fixtures.py        # Debian: apt-get install python3-pot

Costs follow NeuralOT's convention c(x, y) = L(y - x): quadratic L(v) = |v|^2 / 2, power L(v) = |v|^p / p.
POT's ot.dist is |x - y|^2 (no 1/2), so the matrices are built from it explicitly below.
Each file holds the samples (repr floats, exact round trip), optional weights, and POT's values:
  exact_cost     ot.emd2 with the fixture's weights (uniform when it has none; any sizes)
  w              the distance itself: ot.emd2 on ot.dist(x, y, metric="euclidean") ** p, to the power 1 / p
                 (p = 2 for the quadratic cost), computed separately from exact_cost: w^p = p * exact_cost
  sinkhorn_divergence  (some files) for each epsilon, POT's debiased Sinkhorn divergence
                 <P_xy, M_xy> - (<P_xx, M_xx> + <P_yy, M_yy>) / 2 (the formula of
                 ot.bregman.empirical_sinkhorn_divergence, clamped at 0 as there), each plan from ot.sinkhorn with
                 method="sinkhorn_log" and the same epsilon; for the quadratic cost the script checks it against
                 ot.bregman.empirical_sinkhorn_divergence itself (sqeuclidean, so halved with epsilon doubled)
  sinkhorn       for each epsilon (a fraction of the mean cost-matrix entry, where Sinkhorn converges in reasonable
                 time), the transport cost <P, M> of POT's entropic plan (ot.sinkhorn, method="sinkhorn_log");
                 the script checks that both marginals of that plan hold to 1e-10 (L1) and fails otherwise.
"""
import json
import os

import numpy as np
import ot

HERE = os.path.dirname(os.path.abspath(__file__))


def cost_matrix(x, y, cost):
    squared = ot.dist(x, y)  # |x_i - y_j|^2
    if cost == "quadratic":
        return 0.5 * squared
    p = float(cost.split(":")[1])
    return np.sqrt(squared) ** p / p


def mixture(rng, n, d):
    centres = rng.normal(scale=3.0, size=(3, d))
    return centres[rng.integers(0, 3, size=n)] + 0.5 * rng.normal(size=(n, d))


def exponent(cost):
    return 2.0 if cost == "quadratic" else float(cost.split(":")[1])


def entropic_cost(wa, wb, m, eps, name):
    plan = ot.sinkhorn(wa, wb, m, eps, method="sinkhorn_log", numItermax=200_000, stopThr=1e-13)
    marginal_error = np.abs(plan.sum(1) - wa).sum() + np.abs(plan.sum(0) - wb).sum()
    if not marginal_error < 1e-10:
        raise RuntimeError(f"{name}: POT's Sinkhorn did not converge at epsilon {eps} (error {marginal_error})")
    return float((plan * m).sum())


def divergence(x, y, wa, wb, cost, eps, name):
    value = entropic_cost(wa, wb, cost_matrix(x, y, cost), eps, name) - 0.5 * (
        entropic_cost(wa, wa, cost_matrix(x, x, cost), eps, name) + entropic_cost(wb, wb, cost_matrix(y, y, cost), eps, name))
    if cost == "quadratic":
        pot = ot.bregman.empirical_sinkhorn_divergence(x, y, 2 * eps, wa, wb, metric="sqeuclidean", numIterMax=200_000)
        if not abs(0.5 * float(pot) - max(0.0, value)) < 1e-6 * max(1.0, abs(value)):
            raise RuntimeError(f"{name}: divergence {value} differs from POT's empirical_sinkhorn_divergence / 2 = {0.5 * float(pot)}")
    return max(0.0, value)


def write(name, x, y, cost, epsilon_fractions, a=None, b=None, divergence_fractions=()):
    m = cost_matrix(x, y, cost)
    uniform_a = np.full(len(x), 1.0 / len(x))
    uniform_b = np.full(len(y), 1.0 / len(y))
    wa = uniform_a if a is None else a
    wb = uniform_b if b is None else b
    fixture = {"name": name, "cost": cost, "source": x.tolist(), "target": y.tolist()}
    if a is not None:
        fixture["source_weights"] = a.tolist()
        fixture["target_weights"] = b.tolist()
    fixture["exact_cost"] = float(ot.emd2(wa, wb, m, numItermax=10_000_000))
    p = exponent(cost)
    fixture["w"] = float(ot.emd2(wa, wb, ot.dist(x, y, metric="euclidean") ** p, numItermax=10_000_000)) ** (1 / p)
    fixture["sinkhorn"] = []
    for fraction in epsilon_fractions:
        eps = fraction * float(m.mean())
        fixture["sinkhorn"].append({"epsilon": eps, "cost": entropic_cost(wa, wb, m, eps, name)})
    if divergence_fractions:
        fixture["sinkhorn_divergence"] = [
            {"epsilon": fraction * float(m.mean()), "divergence": divergence(x, y, wa, wb, cost, fraction * float(m.mean()), name)}
            for fraction in divergence_fractions]
    with open(os.path.join(HERE, name + ".json"), "w") as handle:
        json.dump(fixture, handle)


def main():
    rng = np.random.default_rng(20261127)
    for n, d in [(8, 2), (60, 2), (200, 2), (100, 5), (150, 10)]:
        x = rng.normal(size=(n, d))
        y = mixture(rng, n, d)
        write(f"quadratic-d{d}-n{n}", x, y, "quadratic", [0.1, 0.02])
        write(f"power1.5-d{d}-n{n}", x, y, "power:1.5", [0.1, 0.02])
    x = rng.normal(size=(120, 3))
    y = mixture(rng, 120, 3)
    write("power3-d3-n120", x, y, "power:3", [0.05])
    # Arbitrary weights and unequal sizes: Sinkhorn only.
    x = rng.normal(size=(50, 2))
    y = mixture(rng, 70, 2)
    a = rng.dirichlet(np.ones(50))
    b = rng.dirichlet(np.ones(70))
    write("weighted-quadratic-d2-50x70", x, y, "quadratic", [0.1, 0.02], a, b)
    write("weighted-power1.5-d2-50x70", x, y, "power:1.5", [0.1, 0.02], a, b)
    # Issue 19: W1 (the earth mover's distance), unequal sizes with uniform weights, weights with an exact value, and
    # the debiased Sinkhorn divergence.
    x = rng.normal(size=(60, 2))
    y = mixture(rng, 60, 2)
    write("power1-d2-n60", x, y, "power:1", [0.1])
    x = rng.normal(size=(40, 3))
    y = mixture(rng, 55, 3)
    write("power1-d3-40x55", x, y, "power:1", [0.1], divergence_fractions=[0.1])
    write("unequal-quadratic-d3-40x55", x, y, "quadratic", [0.1], divergence_fractions=[0.1, 0.02])
    write("unequal-power3-d3-40x55", x, y, "power:3", [0.1])
    x = rng.normal(size=(30, 2))
    y = mixture(rng, 30, 2)
    a = rng.dirichlet(np.ones(30))
    b = rng.dirichlet(np.ones(30))
    write("weighted-quadratic-d2-30x30", x, y, "quadratic", [0.1], a, b, divergence_fractions=[0.1])


if __name__ == "__main__":
    main()
