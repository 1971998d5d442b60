#!/usr/bin/env python3
"""Replays excursion rules of the held-out guard on the recorded energy-distance curves (no training).

The guard (src/NeuralOT/Solvers/HeldOutMonitor.cs) calls an evaluation an excursion when, once at least three
evaluations were accepted, its energy distance exceeds 2 times the median of the accepted ones. This script replays
that rule and robust-scale alternatives on every energy-distance series in bench/results/known-map-csv-curves/ and
prints, per series and rule, which evaluations it flags, with the l2_uvp (%) the curve recorded at that iteration
when it did. Each rule keeps its own accepted set, as the guard would. docs/solver.md ("Finite samples") discusses
the numbers.

    python3 bench/replay-excursion-thresholds.py [curves folder]
"""
import csv
import io
import math
import os
import statistics
import sys

MINIMUM_ACCEPTED = 3  # HeldOutOptions.MinimumAcceptedEvaluations
MAD_TO_SIGMA = 1.4826  # the MAD of a normal sample times this estimates its standard deviation


def blocks(path):
    """The CSV blocks of a curve file, each starting at a header line 'iteration,...', as lists of dicts."""
    found, current = [], None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("iteration,"):
            current = [line]
            found.append(current)
        elif current is not None and line[:1].isdigit():
            current.append(line)
        else:
            current = None
    return [list(csv.DictReader(io.StringIO("\n".join(block)))) for block in found]


def mad(values):
    centre = statistics.median(values)
    return statistics.median([abs(v - centre) for v in values])


def factor_rule(factor):
    return lambda energy, accepted: energy > factor * statistics.median(accepted)


def mad_rule(k, window=None, log=False):
    def rule(energy, accepted):
        values = accepted[-window:] if window else accepted
        if log:
            values, energy = [math.log(v) for v in values], math.log(energy)
        return energy > statistics.median(values) + k * MAD_TO_SIGMA * mad(values)
    return rule


RULES = [
    ("factor 2 (default)", factor_rule(2)),
    ("factor 1.5", factor_rule(1.5)),
    ("factor 3", factor_rule(3)),
    ("MAD k=3", mad_rule(3)),
    ("MAD k=4", mad_rule(4)),
    ("MAD k=5", mad_rule(5)),
    ("log MAD k=3", mad_rule(3, log=True)),
    ("last-10 MAD k=3", mad_rule(3, window=10)),
    ("last-10 MAD k=4", mad_rule(4, window=10)),
]


def replay(series, rule):
    accepted, flagged = [], []
    for iteration, energy in series:
        if len(accepted) >= MINIMUM_ACCEPTED and rule(energy, accepted):
            flagged.append(iteration)
        else:
            accepted.append(energy)
    return flagged


def robust_scores(series):
    """Per evaluation after the third accepted: its ratio to the accepted median and its robust z-score, with the
    accepted set of the default rule."""
    accepted, scores = [], []
    for iteration, energy in series:
        if len(accepted) >= MINIMUM_ACCEPTED:
            centre, spread = statistics.median(accepted), MAD_TO_SIGMA * mad(accepted)
            scores.append((iteration, energy / centre, (energy - centre) / spread))
            if energy > 2 * centre:
                continue
        accepted.append(energy)
    return scores


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results", "known-map-csv-curves")

    def read(name):
        return blocks(os.path.join(folder, name))

    def error(rows):
        return {int(r["iteration"]): float(r["l2_uvp_fresh"]) for r in rows}

    series = []
    guarded = read("128d-seed0-guard-on-every500.txt")
    series.append(("128-D seed 0, guard on: held-out rows", [(int(r["iteration"]), float(r["energy_distance"])) for r in guarded[1]], error(guarded[0])))
    split = read("128d-seed1-split-keep-lowest-every100.txt")
    series.append(("128-D seed 1, split, no rollback: held-out rows", [(int(r["iteration"]), float(r["energy_distance"])) for r in split[1]], error(split[0])))
    series.append(("128-D seed 1, split, no rollback: fresh points", [(int(r["iteration"]), float(r["energy_to_fresh_targets"])) for r in split[0]], error(split[0])))
    fresh = read("128d-seed0-fresh-samples-every100.txt")
    series.append(("128-D seed 0, fresh samples: fresh points", [(int(r["iteration"]), float(r["energy_to_fresh_targets"])) for r in fresh[0]], error(fresh[0])))
    off = read("128d-seed0-guard-off-every250.txt")
    series.append(("128-D seed 0, guard off: fresh points", [(int(r["iteration"]), float(r["energy_to_fresh_targets"])) for r in off[0]], error(off[0])))

    for name, values, errors in series:
        print(f"{name} ({len(values)} evaluations)")
        for rule_name, rule in RULES:
            flagged = replay(values, rule)
            shown = ", ".join(f"{i}" + (f" ({errors[i]:.2f} %)" if i in errors else "") for i in flagged)
            print(f"  {rule_name:20s} {len(flagged)}: {shown}")
        top = sorted(robust_scores(values), key=lambda s: -s[1])[:4]
        print("  largest ratios to the accepted median: " + ", ".join(f"{i}: {r:.2f}x (robust z {z:.1f})" for i, r, z in top))


if __name__ == "__main__":
    main()
