#!/usr/bin/env python3
"""The phase-1 minimax solver written directly in PyTorch: the speed peer of NeuralOT's solver.

It trains the same saddle objectives with the same networks, batch, optimiser and schedule as NeuralOT's defaults
on a Gaussian pair N(m0, S0) -> N(m1, S1) under the quadratic cost, on one thread, and prints one JSON object:

  --mode speed     {"ms_per_iteration": ...}: wall time of `--timed` outer iterations after `--warmup` ones
  --mode accuracy  {"trace": [[seconds, iteration, l2_uvp_percent], ...]}: l2_uvp against the closed-form map every
                   `--eval-every` iterations; the clock stops while the score is computed

The pair comes from a JSON file (keys source_mean, source_covariance, target_mean, target_covariance), written by
the benchmark (`dotnet run -c Release --project bench/NeuralOT.Benchmarks -- peer`), so both sides solve the same
problem. Run with Debian's /usr/bin/python3 and python3-torch; the benchmark puts a serial OpenBLAS first on the
library path when one is given (Debian's default reference BLAS is several times slower).
"""
import argparse
import json
import math
import time

import numpy as np
import torch
from torch import nn


def mlp(inputs, outputs, width, depth, zero_output=False):
    layers, size = [], inputs
    for _ in range(depth):
        layers += [nn.Linear(size, width), nn.SiLU()]
        size = width
    last = nn.Linear(size, outputs)
    if zero_output:
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
    return nn.Sequential(*layers, last)


class Gaussian:
    def __init__(self, mean, covariance):
        self.mean = torch.tensor(mean, dtype=torch.float32)
        self.factor = torch.linalg.cholesky(torch.tensor(covariance, dtype=torch.float64)).to(torch.float32)

    def sample(self, n):
        return self.mean + torch.randn(n, self.mean.shape[0]) @ self.factor.T


def bures_map(m0, s0, m1, s1):
    """T*(x) = m1 + A (x - m0), A = S0^-1/2 (S0^1/2 S1 S0^1/2)^1/2 S0^-1/2."""
    def sqrtm(a):
        w, v = np.linalg.eigh(a)
        return (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    root = sqrtm(s0)
    inverse_root = np.linalg.inv(root)
    a = inverse_root @ sqrtm(root @ s1 @ root) @ inverse_root
    return np.asarray(m0), np.asarray(m1), a


class Peer:
    def __init__(self, pair, form, width, depth, batch, iterations, seed):
        torch.manual_seed(seed)
        self.source = Gaussian(pair["source_mean"], pair["source_covariance"])
        self.target = Gaussian(pair["target_mean"], pair["target_covariance"])
        d = len(pair["source_mean"])
        self.form, self.batch, self.iterations = form, batch, iterations
        self.map = mlp(d, d, width, depth, zero_output=True)
        self.critic = mlp(d + (1 if form == "time" else 0), 1, width, depth)
        adam = dict(lr=1e-3, betas=(0.5, 0.999))
        self.map_optimizer = torch.optim.Adam(self.map.parameters(), **adam)
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), **adam)
        self.critic_steps, self.map_steps = (1, 5) if form == "static" else (3, 1)

    def potential(self, x, t):
        return self.critic(torch.cat([x, t], 1)).squeeze(1)

    def interior(self, x_t, t):
        """E[dPhi/dt + |grad_x Phi|^2 / 2] at the path points."""
        t = t.detach().clone().requires_grad_(True)
        grad_x, grad_t = torch.autograd.grad(self.potential(x_t, t).sum(), [x_t, t], create_graph=True)
        return (grad_t.squeeze(1) + 0.5 * grad_x.square().sum(1)).mean()

    def critic_step(self):
        x, y = self.source.sample(self.batch), self.target.sample(self.batch)
        self.critic_optimizer.zero_grad()
        with torch.no_grad():
            displacement = self.map(x)
        if self.form == "static":
            gap = self.critic(y).mean() - self.critic(x + displacement).mean()
            loss = -gap
        else:
            t = torch.rand(self.batch, 1)
            x_t = (x + t * displacement).requires_grad_(True)
            ones, zeros = torch.ones(self.batch, 1), torch.zeros(self.batch, 1)
            boundary = self.potential(y, ones).mean() - self.potential(x, zeros).mean()
            loss = self.interior(x_t, t) - boundary
        loss.backward()
        self.critic_optimizer.step()
        return loss

    def map_step(self):
        x = self.source.sample(self.batch)
        self.map_optimizer.zero_grad()
        displacement = self.map(x)
        if self.form == "static":
            loss = 0.5 * displacement.square().sum(1).mean() - self.critic(x + displacement).mean()
        else:
            t = torch.rand(self.batch, 1)
            loss = -self.interior(x + t * displacement, t)
        loss.backward()
        self.map_optimizer.step()
        return loss

    def iteration(self, number):
        factor = 0.5 * (1 + math.cos(math.pi * (number - 1) / self.iterations))
        for optimizer in (self.map_optimizer, self.critic_optimizer):
            for group in optimizer.param_groups:
                group["lr"] = 1e-3 * factor
        for _ in range(self.critic_steps):
            critic_loss = self.critic_step()
        for _ in range(self.map_steps):
            map_loss = self.map_step()
        # The one host read per iteration that any training loop needs: stop on NaN.
        if not math.isfinite(critic_loss.item() + map_loss.item()):
            raise SystemExit(f"diverged at iteration {number}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", required=True, help="JSON file with the Gaussian pair")
    parser.add_argument("--form", choices=["static", "time"], default="static")
    parser.add_argument("--mode", choices=["speed", "accuracy"], default="speed")
    parser.add_argument("--iterations", type=int, default=4000, help="the schedule's length")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--timed", type=int, default=300)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--eval-samples", type=int, default=4096)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    with open(args.pair) as f:
        pair = json.load(f)
    peer = Peer(pair, args.form, args.width, args.depth, args.batch, args.iterations, args.seed)

    if args.mode == "speed":
        for number in range(1, args.warmup + 1):
            peer.iteration(number)
        start = time.perf_counter()
        for number in range(args.warmup + 1, args.warmup + args.timed + 1):
            peer.iteration(number)
        print(json.dumps({"ms_per_iteration": 1000 * (time.perf_counter() - start) / args.timed}))
        return

    m0, m1, a = bures_map(np.array(pair["source_mean"]), np.array(pair["source_covariance"]),
                          np.array(pair["target_mean"]), np.array(pair["target_covariance"]))
    target_variance = float(np.trace(np.array(pair["target_covariance"])))
    trace, seconds = [], 0.0
    for number in range(1, args.iterations + 1):
        start = time.perf_counter()
        peer.iteration(number)
        seconds += time.perf_counter() - start
        if number % args.eval_every == 0 or number == args.iterations:
            with torch.no_grad():
                x = peer.source.sample(args.eval_samples)
                learned = peer.map(x).double().numpy()
            exact = (m1 + (x.double().numpy() - m0) @ a.T) - x.double().numpy()
            l2_uvp = 100 * float(np.mean(np.sum((learned - exact) ** 2, axis=1))) / target_variance
            trace.append([seconds, number, l2_uvp])
    print(json.dumps({"trace": trace}))


if __name__ == "__main__":
    main()
